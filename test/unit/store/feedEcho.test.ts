import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../../src/store/changeFeed';
import { tempFolder } from './helpers';

/**
 * Whatever the order in which own publishes and other windows' renames of one feed file land — in one batch of
 * file events or spread over several — every rename by another window is followed by a handling of that file that
 * starts after it. (The kernel folds identical consecutive events of one name into one, so an own publish and a
 * foreign rename can arrive as a single event: counting events to pass over own "echoes" would lose the foreign
 * one. This property caught exactly that in an attempt to save the reads of own echoes.)
 */
describe('change feed: a rename by another window is never lost among own publishes', () => {
  it('property: every foreign rename is handled after it happened', async () => {
    const dir = tempFolder();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ own: fc.boolean(), tickAfter: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        async (renames) => {
          const folder = join(dir, `feed-${run}`);
          const scratch = join(dir, `scratch-${run++}`);
          mkdirSync(folder);
          mkdirSync(scratch);
          let clock = 0;
          const handledAt: number[] = [];
          let sentinelSeen: () => void = () => undefined;
          const sentinel = new Promise<void>((resolve) => (sentinelSeen = resolve));
          const feed = new ChangeFeed({
            folder,
            mode: 'events',
            pollIntervalMs: 60_000,
            onChange: (fileName) => {
              if (fileName === 'sentinel') sentinelSeen();
              else handledAt.push(clock);
              return Promise.resolve();
            },
            log: () => undefined,
          });
          try {
            const foreignAt: number[] = [];
            for (const [i, { own, tickAfter }] of renames.entries()) {
              const temp = join(scratch, `t${i}`);
              writeFileSync(temp, `${i}`);
              clock++;
              if (own) feed.publish('key', temp);
              else {
                renameSync(temp, join(folder, 'key')); // another window's publish
                foreignAt.push(clock);
              }
              if (tickAfter) await new Promise((resolve) => setTimeout(resolve, 1));
            }
            // Events come in order: once the sentinel's arrives, every event before it has been delivered.
            writeFileSync(join(scratch, 'sentinel'), 's');
            renameSync(join(scratch, 'sentinel'), join(folder, 'sentinel'));
            await sentinel;
            for (const at of foreignAt) expect(handledAt.some((h) => h >= at)).toBe(true);
          } finally {
            feed.dispose();
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});
