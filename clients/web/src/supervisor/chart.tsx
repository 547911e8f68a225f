// uPlot in a Preact component: made on mount, resized with its box, destroyed on unmount.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export function Chart({ options, data, label }: { options: Omit<uPlot.Options, "width" | "height">; data: uPlot.AlignedData; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const size = () => ({ width: Math.max(320, el.clientWidth), height: 260 });
    const plot = new uPlot({ ...options, ...size() }, data, el);
    const ro = new ResizeObserver(() => plot.setSize(size()));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [options, data]);
  return <div class="sv-chart" ref={box} role="img" aria-label={label} />;
}

/** uPlot's axis in UTC, the server's day. */
export const utc = (ts: number) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC");

/** uPlot's axis in a time zone's hours and days ("Europe/Berlin"). */
export const inZone = (zone: string) => (ts: number) => uPlot.tzDate(new Date(ts * 1000), zone);
