import { runCli } from './commands.ts';

/** `npm run rosetta -- <command> …`: administration commands beside the server (see `--help`). */
runCli(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`rosetta failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
