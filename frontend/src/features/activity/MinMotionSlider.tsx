import { useId } from 'react';
import { formatMotionPercent } from '../../api/activity';
import { MIN_SLIDER, motionToSlider, sliderToMotion } from './activity-math';

/**
 * The least motion that counts, on a logarithmic slider from 0.1 % to 30 % of
 * the picture: fine steps where small things move, coarse ones at the top.
 */
export function MinMotionSlider({ value, onChange }: { value: number; onChange: (min: number) => void }) {
  const id = useId();
  const text = `${formatMotionPercent(value)} of the picture`;
  return (
    <div className="min-motion" data-testid="min-motion" data-min={value}>
      <label htmlFor={id}>Minimum motion</label>
      <div className="min-motion-row">
        <input
          id={id}
          type="range"
          min={0}
          max={MIN_SLIDER.steps}
          step={1}
          value={motionToSlider(value)}
          aria-valuetext={text}
          onChange={(e) => onChange(sliderToMotion(Number(e.target.value)))}
          data-testid="min-motion-input"
        />
        <output htmlFor={id} data-testid="min-motion-value">
          {formatMotionPercent(value)}
        </output>
      </div>
    </div>
  );
}
