import { beforeAll, describe, expect, it } from 'vitest';
import { createOrganization } from '../../src/core/directory/organizations.ts';
import { ADMIN_EMAIL, type TestApp } from '../support/app.ts';
import { lightdashError, type Member, onEachStore, passcodeSentTo } from './account-support.ts';
import { ld } from './support.ts';

onEachStore('the Lightdash face: email verification, email domains, joining, account setup', (world) => {
  let app: TestApp;
  let viewer: Member;
  let editor: Member;
  beforeAll(() => {
    ({ app, viewer, editor } = world());
  });

  describe('email verification', () => {
    it('mails a passcode, counts wrong ones and verifies the address with the right one', async () => {
      const start = await ld(app, 'GET', '/v1/user/me/email/status', undefined, { cookie: viewer.cookie });
      expect(start.status).toBe(200);
      expect(start.body).toEqual({ status: 'ok', results: { email: viewer.email, isVerified: false } });

      const sent = await ld(app, 'PUT', '/v1/user/me/email/otp', undefined, { cookie: viewer.cookie });
      expect(sent.status).toBe(200);
      expect(sent.body.results).toEqual({
        email: viewer.email,
        isVerified: false,
        otp: {
          createdAt: expect.any(String),
          expiresAt: expect.any(String),
          numberOfAttempts: 0,
          isExpired: false,
          isMaxAttempts: false,
        },
      });
      const { createdAt, expiresAt } = sent.body.results.otp;
      expect(Date.parse(expiresAt) - Date.parse(createdAt)).toBe(15 * 60_000);
      const passcode = await passcodeSentTo(app, viewer.email);

      // Only its keyed hash is kept.
      const stored = await app.rosetta.store.db.selectFrom('email_passcodes').selectAll().execute();
      expect(stored).toHaveLength(1);
      expect(stored[0].passcode_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(passcode);

      const again = await ld(app, 'PUT', '/v1/user/me/email/otp', undefined, { cookie: viewer.cookie });
      expect(again.status).toBe(429);
      expect(again.body).toEqual(lightdashError(429, 'TooManyRequestsError'));

      const wrong = passcode === '000000' ? '111111' : '000000';
      const refused = await ld(app, 'GET', `/v1/user/me/email/status?passcode=${wrong}`, undefined, {
        key: viewer.key,
      });
      expect(refused.status).toBe(200);
      expect(refused.body.results).toMatchObject({ isVerified: false, otp: { numberOfAttempts: 1 } });

      const verified = await ld(app, 'GET', `/v1/user/me/email/status?passcode=${passcode}`, undefined, {
        cookie: viewer.cookie,
      });
      expect(verified.body.results).toEqual({ email: viewer.email, isVerified: true });
      const readBack = await ld(app, 'GET', '/v1/user/me/email/status', undefined, { key: viewer.key });
      expect(readBack.body.results).toEqual({ email: viewer.email, isVerified: true });
      // Used up: the same passcode verifies nothing more, and no one else's status changed.
      const editorStatus = await ld(app, 'GET', '/v1/user/me/email/status', undefined, { key: editor.key });
      expect(editorStatus.body.results).toEqual({ email: editor.email, isVerified: false });
    });

    it('refuses the right passcode once the attempts are spent or the passcode expired', async () => {
      await ld(app, 'PUT', '/v1/user/me/email/otp', undefined, { cookie: editor.cookie });
      const passcode = await passcodeSentTo(app, editor.email);
      const wrong = passcode === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++)
        await ld(app, 'GET', `/v1/user/me/email/status?passcode=${wrong}`, undefined, { key: editor.key });
      const spent = await ld(app, 'GET', `/v1/user/me/email/status?passcode=${passcode}`, undefined, {
        key: editor.key,
      });
      expect(spent.body.results).toMatchObject({
        isVerified: false,
        otp: { numberOfAttempts: 5, isMaxAttempts: true, isExpired: false },
      });

      // A new passcode, then a quarter of an hour passes.
      const db = app.rosetta.store.db;
      await db.deleteFrom('email_passcodes').execute();
      await ld(app, 'PUT', '/v1/user/me/email/otp', undefined, { cookie: editor.cookie });
      const late = await passcodeSentTo(app, editor.email);
      await db
        .updateTable('email_passcodes')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .execute();
      const expired = await ld(app, 'GET', `/v1/user/me/email/status?passcode=${late}`, undefined, {
        key: editor.key,
      });
      expect(expired.body.results).toMatchObject({
        isVerified: false,
        otp: { isExpired: true, numberOfAttempts: 0 },
      });
    });

    it('asks for credentials', async () => {
      const anonymous = await ld(app, 'PUT', '/v1/user/me/email/otp', undefined, { key: null });
      expect(anonymous.status).toBe(401);
    });
  });

  describe('allowed email domains', () => {
    it('stores what an admin sets and reads it back; members read, only admins change', async () => {
      const [org, project] = await Promise.all([
        ld(app, 'GET', '/v1/org'),
        ld(app, 'GET', '/v1/org/projects'),
      ]);
      const organizationUuid = org.body.results.organizationUuid;
      const projectUuid = project.body.results[0].projectUuid;

      const initial = await ld(app, 'GET', '/v1/org/allowedEmailDomains', undefined, { key: viewer.key });
      expect(initial.body).toEqual({
        status: 'ok',
        results: { organizationUuid, emailDomains: [], role: 'viewer', projects: [] },
      });

      const body = {
        emailDomains: ['Corp.TEST', 'corp.test', 'sub.corp.test'],
        role: 'member',
        projects: [{ projectUuid, role: 'editor' }],
      };
      const saved = await ld(app, 'PATCH', '/v1/org/allowedEmailDomains', body);
      expect(saved.status).toBe(200);
      const expected = {
        organizationUuid,
        emailDomains: ['corp.test', 'sub.corp.test'],
        role: 'member',
        projects: [{ projectUuid, role: 'editor' }],
      };
      expect(saved.body.results).toEqual(expected);
      expect(
        (await ld(app, 'GET', '/v1/org/allowedEmailDomains', undefined, { key: viewer.key })).body.results,
      ).toEqual(expected);

      const byEditor = await ld(app, 'PATCH', '/v1/org/allowedEmailDomains', body, { key: editor.key });
      expect(byEditor.status).toBe(403);
      expect(byEditor.body).toEqual(lightdashError(403, 'ForbiddenError'));
    });

    it('refuses public mail providers, malformed domains, other roles and unknown projects, naming the field', async () => {
      const patch = (body: object) => ld(app, 'PATCH', '/v1/org/allowedEmailDomains', body);
      const valid = { emailDomains: ['corp.test'], role: 'viewer', projects: [] };

      const publicDomain = await patch({ ...valid, emailDomains: ['corp.test', 'gmail.com'] });
      expect(publicDomain.status).toBe(400);
      expect(publicDomain.body.error).toMatchObject({
        name: 'ParameterError',
        data: { 'emailDomains[1]': expect.anything() },
      });
      expect(publicDomain.body.error.message).toContain('gmail.com');

      for (const domain of ['not a domain', 'https://corp.test/x', 'corp', 'a@corp.test']) {
        const malformed = await patch({ ...valid, emailDomains: [domain] });
        expect(malformed.status, domain).toBe(400);
        expect(malformed.body.error.data).toHaveProperty(['emailDomains[0]']);
      }
      const admin = await patch({ ...valid, role: 'admin' });
      expect(admin.status).toBe(400);
      expect(admin.body.error.data).toHaveProperty('role');
      const missing = await patch({ emailDomains: ['corp.test'], role: 'viewer' });
      expect(missing.status).toBe(400);
      expect(missing.body.error.data).toHaveProperty('projects');

      const unknown = await patch({
        ...valid,
        projects: [{ projectUuid: crypto.randomUUID(), role: 'viewer' }],
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(lightdashError(404, 'NotExistsError'));

      // Nothing refused was stored.
      const kept = await ld(app, 'GET', '/v1/org/allowedEmailDomains');
      expect(kept.body.results.emailDomains).toEqual(['corp.test', 'sub.corp.test']);
    });
  });

  describe('joining an organization', () => {
    it('accepts the caller’s own organization and refuses any other, or one that does not exist', async () => {
      const own = (await ld(app, 'GET', '/v1/org', undefined, { key: viewer.key })).body.results
        .organizationUuid;
      const joined = await ld(app, 'POST', `/v1/user/me/joinOrganization/${own}`, undefined, {
        key: viewer.key,
      });
      expect(joined.status).toBe(200);
      expect(joined.body).toEqual({ status: 'ok' });

      const other = await app.rosetta.store.db
        .transaction()
        .execute((trx) => createOrganization(trx, 'Another organization'));
      const refused = await ld(
        app,
        'POST',
        `/v1/user/me/joinOrganization/${other.organization.uuid}`,
        undefined,
        { key: viewer.key },
      );
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(lightdashError(403, 'ForbiddenError'));

      const unknown = await ld(
        app,
        'POST',
        `/v1/user/me/joinOrganization/${crypto.randomUUID()}`,
        undefined,
        {
          key: viewer.key,
        },
      );
      expect(unknown.status).toBe(404);
    });
  });

  describe('finishing setup', () => {
    it('records the answers, shown by GET /v1/user', async () => {
      const done = await ld(
        app,
        'PATCH',
        '/v1/user/me/complete',
        { jobTitle: 'Analyst', isTrackingAnonymized: true, isMarketingOptedIn: true },
        { cookie: viewer.cookie },
      );
      expect(done.status).toBe(200);
      expect(done.body.results).toMatchObject({
        userUuid: viewer.uuid,
        isSetupComplete: true,
        isTrackingAnonymized: true,
        isMarketingOptedIn: true,
      });
      const self = await ld(app, 'GET', '/v1/user', undefined, { key: viewer.key });
      expect(self.body.results).toMatchObject({ isTrackingAnonymized: true, isMarketingOptedIn: true });
      const row = await app.rosetta.store.db
        .selectFrom('user_settings')
        .selectAll()
        .where('user_id', '=', viewer.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ job_title: 'Analyst', tracking_anonymized: 1 });

      // Answers not given keep their value.
      await ld(app, 'PATCH', '/v1/user/me/complete', { isMarketingOptedIn: false }, { key: viewer.key });
      expect((await ld(app, 'GET', '/v1/user', undefined, { key: viewer.key })).body.results).toMatchObject({
        isTrackingAnonymized: true,
        isMarketingOptedIn: false,
      });
    });

    it('lets only admins rename the organization and open it to their email domain', async () => {
      const before = (await ld(app, 'GET', '/v1/org')).body.results.name;
      const refused = await ld(
        app,
        'PATCH',
        '/v1/user/me/complete',
        { organizationName: 'Viewer Org' },
        { key: viewer.key },
      );
      expect(refused.status).toBe(403);
      expect((await ld(app, 'GET', '/v1/org')).body.results.name).toBe(before);

      const bad = await ld(app, 'PATCH', '/v1/user/me/complete', { isTrackingAnonymized: 'yes' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.data).toHaveProperty('isTrackingAnonymized');
      const blank = await ld(app, 'PATCH', '/v1/user/me/complete', { organizationName: '   ' });
      expect(blank.status).toBe(400);
      expect(blank.body.error.data).toHaveProperty('organizationName');

      const done = await ld(app, 'PATCH', '/v1/user/me/complete', {
        organizationName: 'Renamed Org',
        enableEmailDomainAccess: true,
      });
      expect(done.status).toBe(200);
      expect(done.body.results).toMatchObject({ email: ADMIN_EMAIL, organizationName: 'Renamed Org' });
      expect((await ld(app, 'GET', '/v1/org')).body.results.name).toBe('Renamed Org');
      expect((await ld(app, 'GET', '/v1/org/allowedEmailDomains')).body.results).toMatchObject({
        emailDomains: [ADMIN_EMAIL.split('@')[1]],
        role: 'viewer',
        projects: [],
      });
    });
  });
});
