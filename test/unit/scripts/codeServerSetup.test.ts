// The code-server installer runs a nested `npm install` on another Node (24 for code-server 4.139). Under
// `npm test`, the outer npm's configuration reaches it through the environment — on a fresh machine its
// `npm_config_user_agent` ("… node/v20…") made code-server's postinstall refuse to run. These tests run a real npm.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';

type Setup = typeof import('../../../scripts/code-server/setup.mjs', { with: { 'resolution-mode': 'import' } });
let runtimeOf: Setup['runtimeOf'];
let withoutOuterNpm: Setup['withoutOuterNpm'];
beforeAll(async () => {
  ({ runtimeOf, withoutOuterNpm } = await import('../../../scripts/code-server/setup.mjs'));
});

const outer = {
  npm_config_user_agent: 'npm/11.0.0 node/v20.0.0 linux x64 workspaces/false',
  npm_lifecycle_event: 'test',
  npm_package_name: 'breath-master',
  NPM_CONFIG_CACHE_MAX: '1',
  INIT_CWD: '/somewhere',
};

function userAgentSeenBy(env: NodeJS.ProcessEnv): string {
  return execFileSync('npm', ['config', 'get', 'user-agent'], { env: { ...env, npm_config_update_notifier: 'false' }, encoding: 'utf8' }).trim();
}

describe('the code-server installer environment', () => {
  it('a nested npm given the outer npm environment takes its user agent as its own', () => {
    expect(userAgentSeenBy({ ...process.env, ...outer })).toContain('node/v20.0.0');
  });

  it('without the outer npm environment, a nested npm reports its own Node', () => {
    const env = withoutOuterNpm({ ...process.env, ...outer });
    expect(Object.keys(env).filter((name) => /^npm_/i.test(name) || name === 'INIT_CWD')).toEqual([]);
    expect(env.PATH).toBe(process.env.PATH);
    // npm's own default: a template it fills with the Node it runs on.
    expect(userAgentSeenBy(env)).not.toContain('node/v20.0.0');
    expect(userAgentSeenBy(env)).toMatch(/node\/(\{node-version\}|v\d)/);
  });

  it('the runtime of every version is built from the cleaned environment', () => {
    const saved = process.env.npm_config_user_agent;
    process.env.npm_config_user_agent = outer.npm_config_user_agent;
    try {
      for (const version of ['4.100.3', '4.139.1']) {
        const { env } = runtimeOf(version);
        expect(env.npm_config_user_agent).toBeUndefined();
      }
    } finally {
      if (saved === undefined) delete process.env.npm_config_user_agent;
      else process.env.npm_config_user_agent = saved;
    }
  });
});
