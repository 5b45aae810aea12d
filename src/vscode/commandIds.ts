/** The palette commands (package.json `contributes.commands`); titles live there, under category "Breath Master". */
export const COMMANDS = {
  toggle: 'breathMaster.toggle',
  cyclePattern: 'breathMaster.cyclePattern',
  startSession: 'breathMaster.startSession',
  pauseSession: 'breathMaster.pauseSession',
  resumeSession: 'breathMaster.resumeSession',
  endSession: 'breathMaster.endSession',
  showProgress: 'breathMaster.showProgress',
  exportData: 'breathMaster.exportData',
  importData: 'breathMaster.importData',
  clearData: 'breathMaster.clearData',
  showWelcome: 'breathMaster.showWelcome',
  showStorageHealth: 'breathMaster.showStorageHealth',
} as const;

export type CommandName = keyof typeof COMMANDS;
