/**
 * A line chart of counts over time (days or hours), drawn as SVG with visx.
 *
 * Accessibility: the chart is one focusable image whose arrow keys move the highlighted
 * point (announced through the tooltip, a live region), and the same numbers are in a
 * real table under "Show as table" for screen readers and for copying.
 */

import { AxisBottom, AxisLeft } from '@visx/axis';
import { GridRows } from '@visx/grid';
import { Group } from '@visx/group';
import { scaleLinear, scaleUtc } from '@visx/scale';
import { LinePath } from '@visx/shape';
import { useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { formatNumber } from '../../lib/format.ts';
import { formatX, nearestIndex, parseX, valueOf, yMax, type Granularity } from './timeSeries.ts';

export interface ChartSeries {
  /** Property of each data row holding the number. */
  key: string;
  /** Legend and tooltip label. */
  label: string;
  /** Any CSS colour. */
  color: string;
}

export interface TimeSeriesChartProps {
  /** Accessible name of the chart, and caption of its data table. */
  title: string;
  /** Rows in time order; `row[xKey]` is an ISO date ("2026-11-01") or datetime. */
  data: readonly Record<string, unknown>[];
  xKey: string;
  series: readonly ChartSeries[];
  /** Tick and tooltip format of the x values. */
  granularity: Granularity;
  /** Pixels; default 240. */
  height?: number;
}

const MARGIN = { top: 12, right: 16, bottom: 28, left: 44 };
/** Width before the container is measured (and in jsdom, which has no layout). */
const DEFAULT_WIDTH = 640;
/** Up to this many points each gets a dot. */
const MAX_DOTTED = 48;

function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.floor(entry?.contentRect.width ?? 0);
      if (measured > 0) setWidth(measured);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

export function TimeSeriesChart({ title, data, xKey, series, granularity, height = 240 }: TimeSeriesChartProps) {
  const [ref, width] = useWidth();
  const [active, setActive] = useState<number | null>(null);
  const tooltipId = useId();
  const innerWidth = Math.max(width - MARGIN.left - MARGIN.right, 10);
  const innerHeight = Math.max(height - MARGIN.top - MARGIN.bottom, 10);

  const dates = useMemo(() => data.map((row) => parseX(row[xKey])), [data, xKey]);
  const x = useMemo(
    () =>
      scaleUtc({
        domain: dates.length ? [dates[0]!, dates[dates.length - 1]!] : [new Date(0), new Date(1)],
        range: [0, innerWidth],
      }),
    [dates, innerWidth],
  );
  const y = useMemo(
    () =>
      scaleLinear({
        domain: [0, yMax(data, series.map((s) => s.key))],
        range: [innerHeight, 0],
        nice: true,
      }),
    [data, series, innerHeight],
  );
  const positions = useMemo(() => dates.map((date) => x(date)), [dates, x]);
  // Ticks at data points, evenly spread and always including the first and the last;
  // small screens get fewer so that labels never overlap.
  const xTickValues = useMemo(() => {
    const count = Math.max(2, Math.min(dates.length, Math.floor(innerWidth / 90)));
    if (dates.length <= 1) return dates;
    return Array.from({ length: count }, (_, i) => dates[Math.round((i * (dates.length - 1)) / (count - 1))]!);
  }, [dates, innerWidth]);

  function onPointerMove(event: PointerEvent<SVGRectElement>) {
    const box = event.currentTarget.getBoundingClientRect();
    setActive(nearestIndex(positions, event.clientX - box.left));
  }

  function onKeyDown(event: KeyboardEvent<SVGSVGElement>) {
    if (!data.length) return;
    const last = data.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: Math.min((active ?? -1) + 1, last),
      ArrowLeft: Math.max((active ?? last + 1) - 1, 0),
      Home: 0,
      End: last,
    };
    if (event.key in moves) {
      event.preventDefault();
      setActive(moves[event.key]!);
    } else if (event.key === 'Escape') {
      setActive(null);
    }
  }

  const activeRow = active === null ? null : data[active];
  const tooltipLeft = active === null ? 0 : MARGIN.left + positions[active]!;

  return (
    <figure className="m-0">
      <ul className="mb-3 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600" aria-hidden="true">
        {series.map((s) => (
          <li key={s.key} className="flex items-center gap-1.5">
            <span className="inline-block h-0.5 w-4 rounded-full" style={{ backgroundColor: s.color }} />
            {s.label}
          </li>
        ))}
      </ul>
      <div ref={ref} className="relative w-full">
        <svg
          width={width}
          height={height}
          role="img"
          aria-label={title}
          aria-describedby={activeRow ? tooltipId : undefined}
          tabIndex={0}
          onKeyDown={onKeyDown}
          onBlur={() => setActive(null)}
          className="block max-w-full rounded-md focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          <Group left={MARGIN.left} top={MARGIN.top}>
            <GridRows scale={y} width={innerWidth} numTicks={4} stroke="#e2e8f0" />
            {series.map((s) => (
              <LinePath
                key={s.key}
                data={data as Record<string, unknown>[]}
                x={(_row, i) => positions[i]!}
                y={(row) => y(valueOf(row, s.key))}
                stroke={s.color}
                strokeWidth={2}
                strokeLinejoin="round"
                strokeLinecap="round"
              />
            ))}
            {/* Dots where points are few: a single point draws no line at all. */}
            {data.length <= MAX_DOTTED &&
              series.map((s) => (
                <g key={s.key} fill={s.color}>
                  {data.map((row, i) => (
                    <circle key={i} cx={positions[i]} cy={y(valueOf(row, s.key))} r={2.5} />
                  ))}
                </g>
              ))}
            {active !== null && (
              <g>
                <line x1={positions[active]} x2={positions[active]} y1={0} y2={innerHeight} stroke="#94a3b8" strokeDasharray="3 3" />
                {series.map((s) => (
                  <circle
                    key={s.key}
                    cx={positions[active]}
                    cy={y(valueOf(data[active]!, s.key))}
                    r={4}
                    fill="white"
                    stroke={s.color}
                    strokeWidth={2}
                  />
                ))}
              </g>
            )}
            <AxisLeft
              scale={y}
              numTicks={4}
              hideAxisLine
              hideTicks
              tickFormat={(value) => formatNumber(Number(value))}
              tickLabelProps={{ fill: '#64748b', fontSize: 11, textAnchor: 'end', dx: -4, dy: 3 }}
            />
            <AxisBottom
              top={innerHeight}
              scale={x}
              tickValues={xTickValues}
              stroke="#cbd5e1"
              hideTicks
              tickFormat={(value) => formatX(value instanceof Date ? value : new Date(Number(value)), granularity)}
              // The outer labels align inwards so that they are not cut at the edges.
              tickLabelProps={(_value, index, values) => ({
                fill: '#64748b',
                fontSize: 11,
                textAnchor: values.length > 1 && index === 0 ? 'start' : values.length > 1 && index === values.length - 1 ? 'end' : 'middle',
              })}
            />
            <rect
              width={innerWidth}
              height={innerHeight}
              fill="transparent"
              onPointerMove={onPointerMove}
              onPointerLeave={() => setActive(null)}
            />
          </Group>
        </svg>
        {activeRow && (
          <div
            id={tooltipId}
            role="status"
            className="pointer-events-none absolute top-2 z-10 w-max max-w-56 -translate-x-1/2 rounded-lg bg-slate-900 px-3 py-2 text-xs text-white shadow-lg"
            style={{ left: Math.min(Math.max(tooltipLeft, 80), width - 80) }}
          >
            <p className="font-semibold">{formatX(dates[active!]!, granularity)}</p>
            {series.map((s) => (
              <p key={s.key} className="mt-0.5 flex items-center gap-1.5">
                <span className="inline-block size-2 rounded-full" style={{ backgroundColor: s.color }} />
                {s.label}: <span className="font-medium tabular-nums">{formatNumber(valueOf(activeRow, s.key))}</span>
              </p>
            ))}
          </div>
        )}
      </div>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-slate-500 select-none hover:text-slate-700 focus-visible:outline-2 focus-visible:outline-indigo-600">
          Show as table
        </summary>
        <div className="mt-2 max-h-72 overflow-auto rounded-lg border border-slate-200">
          <table className="w-full text-left text-xs">
            <caption className="sr-only">{title}</caption>
            <thead className="sticky top-0 bg-slate-50 text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  {granularity === 'day' ? 'Day' : 'Hour'}
                </th>
                {series.map((s) => (
                  <th key={s.key} scope="col" className="px-3 py-2 text-right font-medium">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {data.map((row, i) => (
                <tr key={String(row[xKey])}>
                  <th scope="row" className="px-3 py-1.5 font-normal whitespace-nowrap text-slate-700">
                    {formatX(dates[i]!, granularity)}
                  </th>
                  {series.map((s) => (
                    <td key={s.key} className="px-3 py-1.5 text-right tabular-nums">
                      {formatNumber(valueOf(row, s.key))}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
