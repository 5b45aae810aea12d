// Another window, run to completion inside a test's file-system hook (spawnSync): `count` sequential increments
// of one key with the BUILT store, then exit. argv: storeModule, dir, key, count, keepVersions.
'use strict';
const [storeModule, dir, key, count, keepVersions] = process.argv.slice(2);
const { StorageWrapper } = require(storeModule);

(async () => {
  const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: 'burst', keepVersions: Number(keepVersions), watch: 'poll' });
  for (let i = 0; i < Number(count); i++) await store.update(key, (n) => n + 1, 0);
  store.dispose();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
