import { type ReactNode, useCallback, useState } from 'react';
import { Modal } from './Modal.tsx';

export interface ConfirmRequest {
  title: string;
  message: ReactNode;
  /** The label of the button that goes ahead, e.g. "Deactivate". */
  confirmLabel: string;
}

/**
 * An in-app replacement for `window.confirm`: `ask` opens a modal and resolves to the answer
 * (Escape and Cancel are "no"); render `dialog` once in the component.
 *
 *   const [dialog, ask] = useConfirm();
 *   if (await ask({ title: 'Delete widget', message: '…', confirmLabel: 'Delete' })) …
 */
export function useConfirm(): [ReactNode, (request: ConfirmRequest) => Promise<boolean>] {
  const [pending, setPending] = useState<{ request: ConfirmRequest; resolve: (ok: boolean) => void } | null>(
    null,
  );
  const ask = useCallback(
    (request: ConfirmRequest) => new Promise<boolean>((resolve) => setPending({ request, resolve })),
    [],
  );
  const answer = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };
  const dialog = pending && (
    <Modal title={pending.request.title} onClose={() => answer(false)}>
      <p>{pending.request.message}</p>
      <div className="dialogactions">
        <button type="button" onClick={() => answer(false)}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={() => answer(true)}>
          {pending.request.confirmLabel}
        </button>
      </div>
    </Modal>
  );
  return [dialog, ask];
}
