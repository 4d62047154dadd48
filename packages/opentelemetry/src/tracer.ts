/** The tracer and meter this package reports under, from given or global providers. */
import {
  type Meter,
  type MeterProvider,
  metrics,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

export const instrumentationName = '@tidings/opentelemetry';
export const instrumentationVersion = '0.1.0';

export function tidingsTracer(provider?: TracerProvider): Tracer {
  return (provider ?? trace).getTracer(instrumentationName, instrumentationVersion);
}

export function tidingsMeter(provider?: MeterProvider): Meter {
  return (provider ?? metrics).getMeter(instrumentationName, instrumentationVersion);
}
