// The preload of every app window (bundled to out/preload/index.cjs: sandboxed
// preloads are CommonJS and may require only 'electron', so nothing here may
// import a package: not even the contract, whose schemas need zod). It exposes
// one object, window.glaucomaStudio (preload-bridge.ts), and nothing else; the
// list of calls comes from main in process.argv (channels.ts).
import { contextBridge, ipcRenderer } from 'electron';
import { apiMethodsFromArgv } from './channels';
import { createPreloadBridge } from './preload-bridge';

contextBridge.exposeInMainWorld('glaucomaStudio', createPreloadBridge(ipcRenderer, apiMethodsFromArgv(process.argv)));
