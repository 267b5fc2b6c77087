/**
 * Actual spot and on-demand pods as one bar, with a marker where the target split puts the
 * boundary. Colour is not the only cue: the counts are written out and the bar is labelled.
 */
export function RatioBar({
  spot,
  onDemand,
  targetSpot,
  targetOnDemand,
}: {
  spot: number;
  onDemand: number;
  targetSpot: number;
  targetOnDemand: number;
}) {
  const total = spot + onDemand;
  const targetTotal = targetSpot + targetOnDemand;
  const spotShare = total === 0 ? 0 : (spot / total) * 100;
  const targetShare = targetTotal === 0 ? 0 : (targetSpot / targetTotal) * 100;
  const onTarget = spot === targetSpot && onDemand === targetOnDemand;
  const label = `${spot} spot and ${onDemand} on-demand pods; target ${targetSpot} spot and ${targetOnDemand} on-demand`;
  return (
    <div>
      <div
        role="img"
        aria-label={label}
        title={label}
        data-testid="spot-ratio-bar"
        data-spot={spot}
        data-on-demand={onDemand}
        data-target-spot={targetSpot}
        data-on-target={onTarget}
        className="relative flex h-6 w-full overflow-hidden rounded-md bg-slate-100 ring-1 ring-inset ring-slate-200"
      >
        {total > 0 && (
          <>
            <div className="h-full bg-violet-500" style={{ width: `${spotShare}%` }} />
            <div className="h-full bg-sky-500" style={{ width: `${100 - spotShare}%` }} />
          </>
        )}
        {targetTotal > 0 && (
          <div
            aria-hidden
            className="absolute inset-y-0 w-0.5 bg-slate-900"
            style={{ left: `calc(${targetShare}% - 1px)` }}
          />
        )}
      </div>
      <div className="mt-1 flex justify-between text-xs text-slate-600">
        <span>
          <span className="mr-1 inline-block h-2 w-2 rounded-sm bg-violet-500" aria-hidden />
          {spot} spot
        </span>
        <span className={onTarget ? "text-emerald-700" : "text-amber-700"}>
          {onTarget ? "on target" : `target ${targetSpot} / ${targetOnDemand}`}
        </span>
        <span>
          {onDemand} on-demand
          <span className="ml-1 inline-block h-2 w-2 rounded-sm bg-sky-500" aria-hidden />
        </span>
      </div>
    </div>
  );
}
