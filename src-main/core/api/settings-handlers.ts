// App-wide settings: the operating point (one target specificity for every
// study and screening; registry/operating-point.ts says why app-wide). A change
// re-decides every unsigned decision from its stored probability and is
// announced, so every open view reloads what it shows.
import type { Handlers } from '../contract/contract';
import type { OperatingPoints } from '../registry/operating-point';
import type { HandlerServices } from './handler-services';

type SettingsMethods = 'settings.operatingPoint' | 'settings.setOperatingPoint';

export function settingsHandlers(services: HandlerServices, points: OperatingPoints): Pick<Handlers, SettingsMethods> {
  const { events, identity } = services;
  return {
    'settings.operatingPoint': ({ preview }) => points.state(preview),

    'settings.setOperatingPoint': ({ targetSpecificity }) => {
      const change = points.change(targetSpecificity, identity.user);
      events.emit({ type: 'operating-point' });
      return { setting: points.state(), ...change };
    },
  };
}
