export function Logo({ size = 22 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" fill="#15181c" />
      <circle cx="16" cy="16" r="9" fill="none" stroke="#3ecf8e" strokeWidth="3" />
      <circle cx="16" cy="16" r="3.5" fill="#3ecf8e" />
    </svg>
  );
}
