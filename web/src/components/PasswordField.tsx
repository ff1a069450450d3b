/**
 * A password input with its label. A new password asks the browser for a generated one and at
 * least 8 characters (the server's minimum, which it checks again); a current one is filled in.
 */
export function PasswordField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  isNew?: boolean;
}) {
  return (
    <label>
      {props.label}
      <input
        type="password"
        autoComplete={props.isNew ? 'new-password' : 'current-password'}
        required
        minLength={props.isNew ? 8 : undefined}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}
