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
  openMenu: 'breathMaster.openMenu',
} as const;

/**
 * Context keys for `when` clauses (menus.commandPalette, keybindings): set by each window for itself.
 *   breathMaster.sessionState   'none' | 'running' | 'paused'  (the shared session as this window sees it)
 *   breathMaster.breathingPaused  true while the guide is paused in this window
 *   breathMaster.tracking       true while progress tracking is on
 *   breathMaster.dataAvailable  false when the store could not be opened in this window
 */
export const CONTEXT = {
  sessionState: 'breathMaster.sessionState',
  breathingPaused: 'breathMaster.breathingPaused',
  tracking: 'breathMaster.tracking',
  dataAvailable: 'breathMaster.dataAvailable',
} as const;

export type CommandName = keyof typeof COMMANDS;
