// Every id the extension shares with package.json and VS Code, named once: commands, the view,
// the status-bar item and context keys. A test checks package.json lists exactly these commands.

export const VIEW_ID = 'hiveZk.explorer';
export const STATUS_BAR_ID = 'hiveZk.status';

export const Commands = {
  refresh: 'hiveZk.refresh',
  refreshNode: 'hiveZk.refreshNode',
  addEnsemble: 'hiveZk.addEnsemble',
  /** The view-title twins: VS Code hands a view/title command the focused row, which they never take. */
  addEnsembleFromTitle: 'hiveZk.addEnsembleFromTitle',
  addEnsembleFromUrl: 'hiveZk.addEnsembleFromUrl',
  addEnsemblesFromHiveSite: 'hiveZk.addEnsemblesFromHiveSite',
  addFromBeelineSite: 'hiveZk.addFromBeelineSite',
  copyAsBeelineSiteEntry: 'hiveZk.copyAsBeelineSiteEntry',
  editEnsemble: 'hiveZk.editEnsemble',
  removeEnsemble: 'hiveZk.removeEnsemble',
  setCredential: 'hiveZk.setCredential',
  clearCredential: 'hiveZk.clearCredential',
  configureSecurity: 'hiveZk.configureSecurity',
  testConnection: 'hiveZk.testConnection',
  forgetSecuritySecrets: 'hiveZk.forgetSecuritySecrets',
  resolveJdbcUrl: 'hiveZk.resolveJdbcUrl',
  resolveJdbcUrlFromTitle: 'hiveZk.resolveJdbcUrlFromTitle',
  checkEndpoints: 'hiveZk.checkEndpoints',
  runDoctor: 'hiveZk.runDoctor',
  copyJdbcUrl: 'hiveZk.copyJdbcUrl',
  copyBeelineCommand: 'hiveZk.copyBeelineCommand',
  openBeeline: 'hiveZk.openBeeline',
  copyZnodePath: 'hiveZk.copyZnodePath',
  copyZnodeData: 'hiveZk.copyZnodeData',
  openZnode: 'hiveZk.openZnode',
  refreshZnodeDocument: 'hiveZk.refreshZnodeDocument',
  copyUnlockStatement: 'hiveZk.copyUnlockStatement',
  copyQueryId: 'hiveZk.copyQueryId',
  copyQueryText: 'hiveZk.copyQueryText',
  revealBlocker: 'hiveZk.revealBlocker',
  revealActivityBlocker: 'hiveZk.revealActivityBlocker',
  filter: 'hiveZk.filter',
  clearFilter: 'hiveZk.clearFilter',
  revealInstance: 'hiveZk.revealInstance',
  showLog: 'hiveZk.showLog',
  connect: 'hiveZk.connect',
  copyConnectString: 'hiveZk.copyConnectString',
  copyMetastoreUris: 'hiveZk.copyMetastoreUris',
  disconnect: 'hiveZk.disconnect',
  loadMore: 'hiveZk.loadMore',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** Context keys used in package.json `when` clauses. */
export const ContextKeys = {
  hasEnsembles: 'hiveZk.hasEnsembles',
  filtered: 'hiveZk.filtered',
  connected: 'hiveZk.connected',
} as const;
