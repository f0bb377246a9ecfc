import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const COMMANDS = ['export', 'verify', 'import', 'mine', 'validate', 'info'];

describe('pow-ledger usage', () => {
  it('prints help for the tool and each command on --help (exit 0)', async () => {
    const tool = await runCli(['--help']);
    expect(tool.exitCode).toBe(0);
    expect(tool.stdout).toMatch(/^Usage: pow-ledger \[options\] \[command\]/);
    for (const command of COMMANDS) expect(tool.stdout).toContain(`  ${command} `);
    expect(tool.stdout).toContain('Exit codes:');
    for (const command of COMMANDS) {
      const help = await runCli([command, '--help']);
      expect(help.exitCode).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: pow-ledger ${command} `));
      expect(help.stderr).toBe('');
    }
    expect((await runCli(['help', 'verify'])).stdout).toMatch(/--difficulty <d>/);
    expect((await runCli(['help', 'verify'])).exitCode).toBe(0);
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['verify'], /missing required argument 'file'/],
    [['info', '--verbose'], /unknown option '--verbose'/],
    [['verify', 'a.json', 'b.json'], /too many arguments/],
    [['mine', '--count', 'abc'], /option '--count <n>' argument 'abc' is invalid\. Expected a whole number from 1 up\./],
    [['mine', '--count', '0'], /Expected a whole number from 1 up/],
    [['verify', 'a.json', '--difficulty', '13'], /Expected a whole number from 1 to 12/],
    [['export', '--from', '-1'], /argument '-1' is invalid/],
    [['export', '--limit', '1.5'], /argument '1\.5' is invalid/],
    [['info', '--db', ''], /Expected a file path/],
  ])('exits 2 on %j, saying why', async (args, message) => {
    const run = await runCli(args);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('exits 2 with the help on stderr when no command is given', async () => {
    const run = await runCli([]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^Usage: pow-ledger/);
  });

  it('reports a usage error as JSON under --json', async () => {
    const run = await runCli(['info', '--json', '--bogus']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('');
    expect(run.json()).toEqual({ error: { code: 'USAGE', message: "unknown option '--bogus'" } });
  });
});
