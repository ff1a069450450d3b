import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A loopback SMTP server (no TLS, no auth) that parses every message it accepts; `cid:` links
 * in the HTML stay as they are, so tests can match them with the inline attachments.
 */
export interface SmtpCatcher {
  received: ParsedMail[];
  /** Starts listening on a free port of 127.0.0.1; returns the `smtp://` URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export function smtpCatcher(): SmtpCatcher {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream, { keepCidLinks: true })
        .then((mail) => {
          received.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  let listening = false;
  return {
    received,
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      listening = true;
      return `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    },
    close: () => (listening ? new Promise<void>((resolve) => server.close(resolve)) : Promise.resolve()),
  };
}

/** A loopback SMTP server that requires this login and records the recipients of each message. */
export async function authenticatedSmtp(user: string, pass: string) {
  const received: string[][] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === pass) callback(null, { user });
      else callback(new Error('bad login'));
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        received.push(session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(resolve)) };
}
