import { beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { inDays, lightdashError, type Member, onEachStore } from './account-support.ts';
import { ld } from './support.ts';

onEachStore('the Lightdash face: passwords and invite links', (world) => {
  let app: TestApp;
  let viewer: Member;
  let editor: Member;
  beforeAll(() => {
    ({ app, viewer, editor } = world());
  });

  describe('passwords', () => {
    it('says whether the caller has one and changes it with the current one', async () => {
      const has = await ld(app, 'GET', '/v1/user/password', undefined, { key: editor.key });
      expect(has.body).toEqual({ status: 'ok', results: true });

      const wrong = await ld(
        app,
        'POST',
        '/v1/user/password',
        { password: 'not the password', newPassword: 'a brand new password' },
        { cookie: editor.cookie },
      );
      expect(wrong.status).toBe(403);
      expect(wrong.body.error.data).toHaveProperty('password');
      const short = await ld(
        app,
        'POST',
        '/v1/user/password',
        { password: editor.password, newPassword: 'short' },
        { cookie: editor.cookie },
      );
      expect(short.status).toBe(400);
      expect(short.body.error.data).toHaveProperty('newPassword');

      const changed = await ld(
        app,
        'POST',
        '/v1/user/password',
        { password: editor.password, newPassword: 'a brand new password' },
        { cookie: editor.cookie },
      );
      expect(changed.status).toBe(200);
      const login = (password: string) =>
        ld(app, 'POST', '/v1/login', { email: editor.email, password }, { key: null });
      expect((await login(editor.password)).status).toBe(401);
      expect((await login('a brand new password')).status).toBe(200);
    });

    it('resets a password through a reset link, without credentials, once', async () => {
      const link = await app.request('POST', `/api/users/${viewer.id}/password-link`);
      expect(link.body.purpose).toBe('reset');
      const reset = (code: string, newPassword: string) =>
        ld(app, 'POST', '/v1/user/password/reset', { code, newPassword }, { key: null });

      const short = await reset(link.body.token, 'short');
      expect(short.status).toBe(400);
      expect(short.body.error.data).toHaveProperty('newPassword');
      const done = await reset(link.body.token, 'reset password 456');
      expect(done.status).toBe(200);
      expect(done.body).toEqual({ status: 'ok' });
      const login = await ld(
        app,
        'POST',
        '/v1/login',
        { email: viewer.email, password: 'reset password 456' },
        { key: null },
      );
      expect(login.status).toBe(200);
      expect((await reset(link.body.token, 'another password 789')).status).toBe(403);

      const unknown = await reset('rsl_nothing-like-a-real-link', 'another password 789');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(lightdashError(404, 'NotExistsError'));
    });
  });

  describe('invite links', () => {
    it('invites a new member pending, shows the link without credentials, and accepts it', async () => {
      const created = await ld(app, 'POST', '/v1/invite-links', {
        email: 'New.Person@corp.test',
        role: 'editor',
        expiresAt: inDays(3),
      });
      expect(created.status).toBe(201);
      const invite = created.body.results;
      expect(invite).toEqual({
        inviteCode: expect.any(String),
        inviteUrl: expect.stringMatching(/\/invite\/.+$/),
        expiresAt: expect.any(String),
        email: 'new.person@corp.test',
        userUuid: expect.any(String),
        organizationUuid: expect.any(String),
      });
      expect(invite.inviteUrl.endsWith(invite.inviteCode)).toBe(true);
      const profile = await ld(app, 'GET', `/v1/org/users/${invite.userUuid}`);
      expect(profile.body.results).toMatchObject({ role: 'editor', isPending: true, isActive: false });

      const opened = await ld(app, 'GET', `/v1/invite-links/${invite.inviteCode}`, undefined, { key: null });
      expect(opened.status).toBe(200);
      expect(opened.body.results).toEqual(invite);

      const accepted = await ld(
        app,
        'POST',
        '/v1/user',
        { inviteCode: invite.inviteCode, firstName: 'New', lastName: 'Person', password: 'new person 123' },
        { key: null },
      );
      expect(accepted.status).toBe(200);
      expect(accepted.body.results).toMatchObject({
        userUuid: invite.userUuid,
        role: 'editor',
        isActive: true,
      });

      const again = await ld(app, 'POST', '/v1/invite-links', {
        email: 'new.person@corp.test',
        expiresAt: inDays(1),
      });
      expect(again.status).toBe(400);
      expect(again.body.error.data).toHaveProperty('email');
    });

    it('invites a `member`, re-invites a pending user with a new code, and checks the input', async () => {
      const first = await ld(app, 'POST', '/v1/invite-links', {
        email: 'member@corp.test',
        role: 'member',
        expiresAt: inDays(2),
      });
      const { userUuid, inviteCode } = first.body.results;
      expect((await ld(app, 'GET', `/v1/org/users/${userUuid}`)).body.results.role).toBe('member');

      const second = await ld(app, 'POST', '/v1/invite-links', {
        email: 'member@corp.test',
        expiresAt: inDays(5),
      });
      expect(second.status).toBe(201);
      expect(second.body.results).toMatchObject({ userUuid });
      expect(second.body.results.inviteCode).not.toBe(inviteCode);
      expect(Date.parse(second.body.results.expiresAt)).toBeGreaterThan(Date.now() + 4 * 86_400_000);
      const superseded = await ld(app, 'GET', `/v1/invite-links/${inviteCode}`, undefined, { key: null });
      expect(superseded.status).toBe(406);
      expect(superseded.body).toEqual(lightdashError(406, 'ExpiredError'));

      for (const expiresAt of [new Date(Date.now() - 60_000).toISOString(), inDays(90)]) {
        const refused = await ld(app, 'POST', '/v1/invite-links', { email: 'late@corp.test', expiresAt });
        expect(refused.status).toBe(400);
        expect(refused.body.error.data).toHaveProperty('expiresAt');
      }
      const badEmail = await ld(app, 'POST', '/v1/invite-links', { email: 'nobody', expiresAt: inDays(1) });
      expect(badEmail.status).toBe(400);
      expect(badEmail.body.error.data).toHaveProperty('email');

      const byEditor = await ld(
        app,
        'POST',
        '/v1/invite-links',
        { email: 'sneaky@corp.test', expiresAt: inDays(1) },
        { key: editor.key },
      );
      expect(byEditor.status).toBe(403);
      const unknown = await ld(app, 'GET', '/v1/invite-links/rsl_unknown', undefined, { key: null });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(lightdashError(404, 'NotExistsError'));
    });

    it('revokes every open invite link of the organization (admins only)', async () => {
      const created = await ld(app, 'POST', '/v1/invite-links', {
        email: 'later@corp.test',
        expiresAt: inDays(1),
      });
      const { inviteCode, userUuid } = created.body.results;
      expect((await ld(app, 'DELETE', '/v1/invite-links', undefined, { key: viewer.key })).status).toBe(403);

      const revoked = await ld(app, 'DELETE', '/v1/invite-links');
      expect(revoked.status).toBe(200);
      expect(revoked.body).toEqual({ status: 'ok' });
      expect((await ld(app, 'GET', `/v1/invite-links/${inviteCode}`, undefined, { key: null })).status).toBe(
        404,
      );
      // The invited user stays, pending, and may be invited again.
      expect((await ld(app, 'GET', `/v1/org/users/${userUuid}`)).body.results.isPending).toBe(true);
      const again = await ld(app, 'POST', '/v1/invite-links', {
        email: 'later@corp.test',
        expiresAt: inDays(1),
      });
      expect(again.status).toBe(201);
      expect(
        (await ld(app, 'GET', `/v1/invite-links/${again.body.results.inviteCode}`, undefined, { key: null }))
          .status,
      ).toBe(200);
    });
  });
});
