import { useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api, errorMessage } from '../api.ts';
import { useAdminList } from '../components/AdminList.tsx';
import { saveDownload } from '../components/export-file.ts';
import { Modal } from '../components/Modal.tsx';
import { TableHead } from '../components/TableHead.tsx';

interface Attachment {
  filename: string;
  contentType: string;
  size: number;
  inline?: boolean;
}

interface OutboxMessage {
  id: number;
  to: string[];
  subject: string;
  text: string;
  status: 'pending' | 'sent' | 'held' | 'failed';
  error: string | null;
  attachments: Attachment[];
  filesKeptUntil: string | null;
  createdAt: string;
  sentAt: string | null;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
const size = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${Math.ceil(bytes / 1024)} KB`);
const resendable = (m: OutboxMessage) => (m.status === 'held' || m.status === 'failed') && m.filesKeptUntil;

const fetchMessages = () => api<{ items: OutboxMessage[] }>('GET', '/outbox?limit=100').then((r) => r.items);

const STATUS_TEXT: Record<OutboxMessage['status'], string> = {
  pending: 'sending',
  sent: 'sent',
  held: 'held (no SMTP)',
  failed: 'failed',
};

/**
 * Admin → Outbox: every email sent or held, newest first. Opening one shows its text and
 * attachments (downloadable while a held or failed message keeps them); a held or failed one is
 * resent once SMTP is configured (the server says so otherwise).
 */
export function Outbox() {
  const { data: messages, error, setError, setNotice, load, bar } = useAdminList(fetchMessages);
  const [open, setOpen] = useState<OutboxMessage | null>(null);

  const resend = async (message: OutboxMessage) => {
    try {
      const { message: after } = await api<{ message: OutboxMessage }>(
        'POST',
        `/outbox/${message.id}/resend`,
      );
      setError(null);
      setNotice(
        after.status === 'sent' ? `Sent “${after.subject}”` : `Not sent: ${after.error ?? after.status}`,
      );
      if (open?.id === after.id) setOpen(after);
      await load();
    } catch (caught) {
      setNotice('');
      setError(caught);
    }
  };

  return (
    <section>
      {bar}
      <div className="card tablescroll">
        {messages === null ? (
          <p className="muted">Loading…</p>
        ) : messages.length === 0 ? (
          <p>No emails yet.</p>
        ) : (
          <table aria-label="Outbox">
            <TableHead columns={['Subject', 'To', 'Status', 'Attachments', 'Created']} actions />
            <tbody>
              {messages.map((m) => (
                <tr key={m.id} data-status={m.status}>
                  <td>{m.subject}</td>
                  <td>{m.to.join(', ')}</td>
                  <td title={m.error ?? undefined}>{STATUS_TEXT[m.status]}</td>
                  <td>{m.attachments.map((a) => `${a.filename} (${size(a.size)})`).join(', ') || '—'}</td>
                  <td>{when(m.createdAt)}</td>
                  <td>
                    <button type="button" aria-label={`Open ${m.subject}`} onClick={() => setOpen(m)}>
                      Open
                    </button>{' '}
                    {resendable(m) && (
                      <button type="button" aria-label={`Resend ${m.subject}`} onClick={() => resend(m)}>
                        Resend
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {open && (
        <MessageDialog
          message={open}
          failure={error}
          onResend={() => resend(open)}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}

function MessageDialog(props: {
  message: OutboxMessage;
  /** What the page's last request met (a refused resend), shown here above the page. */
  failure: unknown;
  onResend: () => void;
  onClose: () => void;
}) {
  const { message } = props;
  const [error, setError] = useState<string | null>(null);
  const download = (index: number, attachment: Attachment) =>
    saveDownload(`/outbox/${message.id}/attachments/${index}`, attachment.filename).catch((e) =>
      setError(errorMessage(e)),
    );
  return (
    <Modal title={message.subject} onClose={props.onClose} wide>
      <dl className="facts">
        <dt>To</dt>
        <dd>{message.to.join(', ')}</dd>
        <dt>Status</dt>
        <dd>
          {STATUS_TEXT[message.status]}
          {message.error && ` — ${message.error}`}
        </dd>
        <dt>Created</dt>
        <dd>{when(message.createdAt)}</dd>
        {message.sentAt && (
          <>
            <dt>Sent</dt>
            <dd>{when(message.sentAt)}</dd>
          </>
        )}
      </dl>
      <h3>Text</h3>
      <pre className="mailtext" data-testid="message-text">
        {message.text}
      </pre>
      <h3>Attachments</h3>
      {message.attachments.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul aria-label="Attachments">
          {message.attachments.map((a, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: an attachment is addressed by its place
            <li key={i}>
              {a.filename} ({size(a.size)}
              {a.inline ? ', shown in the email' : ''}){' '}
              {message.filesKeptUntil && (
                <button type="button" className="link" onClick={() => download(i, a)}>
                  Download
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <p className="muted">
        {message.filesKeptUntil
          ? `The attachments are kept until ${when(message.filesKeptUntil)}.`
          : 'Only the attachments of held or failed messages are kept.'}
      </p>
      <ErrorNote error={error ?? props.failure} />
      {resendable(message) && (
        <div className="dialogactions">
          <button type="button" className="primary" onClick={props.onResend}>
            Resend
          </button>
        </div>
      )}
    </Modal>
  );
}
