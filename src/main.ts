import { createRosetta } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

async function main(): Promise<void> {
  // Before anything is written: what the server creates (secret, metadata, warehouse, exports,
  // uploads) is readable by its own user only. createRosetta sets it too, for embedded use.
  process.umask(0o077);
  const config = loadConfig();
  const rosetta = await createRosetta(config);
  const { bootstrap, server } = rosetta;
  if (bootstrap.created) {
    const lines = [`Rosetta is set up. Admin: ${bootstrap.adminEmail}`];
    if (bootstrap.generatedPassword) lines.push(`  generated admin password: ${bootstrap.generatedPassword}`);
    if (bootstrap.generatedApiKey) lines.push(`  generated admin API key:  ${bootstrap.generatedApiKey}`);
    lines.push('  (shown once: keep them now)');
    process.stdout.write(`\n${lines.join('\n')}\n\n`);
  }
  await server.listen({ port: config.port, host: config.host });

  let stopping = false;
  const stop = async (signal: string) => {
    // A second signal means the operator will not wait for the drain.
    if (stopping) process.exit(1);
    stopping = true;
    server.log.info(`${signal} received: draining (jobs, then requests in flight), then stopping`);
    await rosetta.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`configuration error: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`Rosetta failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
