/** Latchkey's mark: a key in a rounded square (inline SVG, no font needed). */
export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      <rect width="24" height="24" rx="6" stroke="none" />
      <circle cx="9" cy="12" r="3.5" fill="none" strokeWidth="2" />
      <path d="M12.5 12H19M16.5 12v3M19 12v2.5" fill="none" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}
