/**
 * The SessionsTerminated metric of scheduled enforcement, as a CloudWatch
 * Embedded Metric Format (EMF) log line: Lambda ships stdout to CloudWatch
 * Logs, which extracts the metric, so the function needs no
 * cloudwatch:PutMetricData permission and makes no extra call.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import { SESSIONS_METRIC_NAMESPACE, SESSIONS_TERMINATED_METRIC } from '../../src/private/contract/client-vpn-sessions';
import { clock } from '../shared/clock';

/** The metric's only dimension: alarms are per endpoint. */
export const ENDPOINT_DIMENSION = 'ClientVpnEndpointId';

/** The EMF document for one run's count (0 included, so that alarms see data). */
export function sessionsTerminatedMetric(endpointId: string, count: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: clock.now(),
      CloudWatchMetrics: [{
        Namespace: SESSIONS_METRIC_NAMESPACE,
        Dimensions: [[ENDPOINT_DIMENSION]],
        Metrics: [{ Name: SESSIONS_TERMINATED_METRIC, Unit: 'Count' }],
      }],
    },
    [ENDPOINT_DIMENSION]: endpointId,
    [SESSIONS_TERMINATED_METRIC]: count,
  };
}

export function emitSessionsTerminated(endpointId: string, count: number): void {
  // One line on stdout is what the EMF extraction reads; console.log is how
  // a Node.js Lambda writes one.
  // eslint-disable-next-line no-console
  console.log(JSON.stringify(sessionsTerminatedMetric(endpointId, count)));
}
