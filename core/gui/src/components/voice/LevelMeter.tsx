/** A horizontal input level meter (0..1) with an accessible name and value. */
export function LevelMeter({ level, label }: { level: number; label: string }) {
  const percent = Math.round(Math.min(1, Math.max(0, level)) * 100);
  return (
    <div
      className="level-meter"
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      data-testid="level-meter"
    >
      <div className="level-meter__bar" style={{ width: `${percent}%` }} />
    </div>
  );
}
