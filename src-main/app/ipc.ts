// The contract over Electron's IPC: one ipcMain.handle channel per contract
// call (channels.ts), each refusing callers that are not our own page and
// handing the raw argument to services.dispatch, which validates it with the
// call's schema before any handler sees it. Answers are the envelope
// { ok: true, value } | { ok: false, error: ApiErrorDto }, never a rejection:
// Electron would keep only an Error's message, and the renderer acts on the
// code and the file. App events go to every window on one channel.
//
// No Electron import: the IPC objects come in through minimal interfaces, and
// test/app/ipc.test.ts drives this with a fake ipcMain.
import type { ApiErrorDto, AppEvent, Method } from '../core/contract/contract';
import { METHODS } from '../core/contract/contract';
import type { ApiResult } from '../core/contract/dispatch';
import { errorMessage } from '../core/errors';
import type { Log } from '../core/log';
import { apiChannel, EVENT_CHANNEL } from './channels';
import type { IpcSenderLike } from './security';

/** What ipc.ts uses of Electron's ipcMain. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderLike, ...args: unknown[]) => Promise<ApiResult>): void;
  removeHandler(channel: string): void;
}

export interface IpcDeps {
  /** services.dispatch: checks the method, validates the input, runs the handler. */
  readonly dispatch: (method: Method, input: unknown) => Promise<ApiResult>;
  /** security.ts createSenderCheck: our window, top frame, our origin. */
  readonly isTrustedSender: (event: IpcSenderLike) => boolean;
  readonly log: Log;
}

const failure = (error: ApiErrorDto): ApiResult => ({ ok: false, error });

function describeSender(event: IpcSenderLike): string {
  let url = 'no frame';
  try {
    url = event.senderFrame?.url ?? 'no frame';
  } catch {
    // the frame is gone
  }
  return `webContents ${event.sender.id} (${url})`;
}

/** Registers one handler per contract call; returns a function that removes them all. */
export function registerIpc(ipc: IpcMainLike, deps: IpcDeps): () => void {
  for (const method of METHODS) {
    ipc.handle(apiChannel(method), async (event, ...args) => {
      if (!deps.isTrustedSender(event)) {
        deps.log('warn', `refused ${method} from ${describeSender(event)}`);
        return failure({ code: 'invalid-input', message: `${method}: refused, the call did not come from Glaucoma Studio's own page` });
      }
      if (args.length > 1) return failure({ code: 'invalid-input', message: `${method}: takes one argument (an object), got ${args.length}` });
      try {
        return await deps.dispatch(method, args[0]);
      } catch (error) {
        // dispatch turns handler errors into envelopes itself; this is the last net.
        deps.log('error', `${method}: ${error instanceof Error ? (error.stack ?? error.message) : errorMessage(error)}`);
        return failure({ code: 'internal', message: `${method} failed: ${errorMessage(error)}` });
      }
    });
  }
  return () => {
    for (const method of METHODS) ipc.removeHandler(apiChannel(method));
  };
}

/** A window's webContents as the event forwarding sees it. */
export interface EventReceiver {
  isDestroyed(): boolean;
  send(channel: string, event: AppEvent): void;
}

/**
 * Sends every app event to every current window (the job manager's progress,
 * case, study and model changes). `targets` is asked at each event, so windows
 * opened later get events and closed ones are skipped. Returns the unsubscribe.
 */
export function forwardEvents(subscribe: (listener: (event: AppEvent) => void) => () => void, targets: () => Iterable<EventReceiver>): () => void {
  return subscribe((event) => {
    for (const target of targets()) {
      if (target.isDestroyed()) continue;
      try {
        target.send(EVENT_CHANNEL, event);
      } catch {
        // A window closing between the check and the send: nothing to tell it.
      }
    }
  });
}
