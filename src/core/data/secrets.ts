import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (connection passwords, webhook signing secrets, Slack URLs): AES-256-GCM under
 * a key derived (HKDF-SHA256) from the server secret, one key per `purpose`, so an envelope of
 * one kind never opens as another. The envelope is `v1.<iv>.<tag>.<ciphertext>` (base64url) so
 * a later key rotation can add `v2` without guessing. `context` (the owning row's uuid) is bound
 * as associated data, so a ciphertext copied onto another row does not decrypt.
 */
export interface SecretBox {
  seal(plain: string, context: string): string;
  open(envelope: string, context: string): string;
}

export function createSecretBox(serverSecret: string, purpose = 'connection-secrets'): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, 'rosetta', purpose, 32));
  return {
    seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), ciphertext]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open(envelope, context) {
      const [version, iv, tag, ciphertext] = envelope.split('.');
      if (version !== 'v1' || !iv || !tag || ciphertext === undefined)
        throw new Error('unknown secret envelope');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}
