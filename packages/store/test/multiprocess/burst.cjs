// Another window, run to completion inside a test's file-system hook (spawnSync): `count` sequential increments
// of one key with the BUILT store, then exit. argv: storeModule, dir, key, count, keepVersions, and 'abrupt' to exit
// at once after the last increment, without dispose (so what it collected is still in the trash, not yet freed).
'use strict';
const [storeModule, dir, key, count, keepVersions, ending] = process.argv.slice(2);
const { StorageWrapper } = require(storeModule);

(async () => {
  const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: 'burst', keepVersions: Number(keepVersions), watch: 'poll' });
  for (let i = 0; i < Number(count); i++) await store.update(key, (n) => n + 1, 0);
  if (ending === 'abrupt') process.exit(0);
  store.dispose();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
