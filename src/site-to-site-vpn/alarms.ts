import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/** Options of the tunnel alarms of a `SiteToSiteVpn`. */
export interface VpnTunnelAlarmOptions {
  /**
   * Name of the alarm.
   *
   * @default - a name CloudFormation generates
   */
  readonly alarmName?: string;

  /**
   * Description of the alarm.
   *
   * @default - a sentence naming the connection and the condition
   */
  readonly alarmDescription?: string;

  /**
   * The period over which TunnelState is aggregated. AWS publishes VPN
   * metrics every 5 minutes.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;

  /**
   * The number of periods over which the condition is evaluated.
   *
   * @default 1
   */
  readonly evaluationPeriods?: number;

  /**
   * The number of breaching periods (of `evaluationPeriods`) that set off the
   * alarm.
   *
   * @default - evaluationPeriods
   */
  readonly datapointsToAlarm?: number;

  /**
   * How periods without data count. A connection that stops reporting has
   * usually lost its tunnels, so missing data breaches by default.
   *
   * @default cloudwatch.TreatMissingData.BREACHING
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;

  /**
   * Whether the alarm's actions run.
   *
   * @default true
   */
  readonly actionsEnabled?: boolean;
}

/*
 * AWS/VPN TunnelState with the VpnId dimension is the connection's fraction
 * of tunnels up: "For both types of VPNs, values between 0 and 1 indicate at
 * least one tunnel is not UP" (static: 0 DOWN / 1 UP; BGP: 1 ESTABLISHED, 0
 * otherwise), unit "fractional value between 0 and 1".
 * https://docs.aws.amazon.com/vpn/latest/s2svpn/monitoring-cloudwatch-vpn.html
 *
 * So, per period:
 * - one tunnel (or more) down: the Minimum falls below 1;
 * - both tunnels down: the Maximum is 0 (no data point had a tunnel up).
 */

/** An alarm that fires when at least one tunnel of `connection` is down. */
export function createOneTunnelDownAlarm(
  scope: Construct, id: string, connection: ec2.IVpnConnection, options: VpnTunnelAlarmOptions = {},
): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    ...common(options),
    metric: connection.metricTunnelState({ statistic: cloudwatch.Stats.MINIMUM, period: options.period ?? Duration.minutes(5) }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    alarmDescription: options.alarmDescription
      ?? 'At least one tunnel of the site-to-site VPN connection is down: the connection has lost its redundancy (AWS/VPN TunnelState, Minimum < 1).',
  });
}

/** An alarm that fires when both tunnels of `connection` are down. */
export function createBothTunnelsDownAlarm(
  scope: Construct, id: string, connection: ec2.IVpnConnection, options: VpnTunnelAlarmOptions = {},
): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    ...common(options),
    metric: connection.metricTunnelState({ statistic: cloudwatch.Stats.MAXIMUM, period: options.period ?? Duration.minutes(5) }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
    alarmDescription: options.alarmDescription
      ?? 'Both tunnels of the site-to-site VPN connection are down: no traffic passes (AWS/VPN TunnelState, Maximum = 0).',
  });
}

function common(options: VpnTunnelAlarmOptions) {
  return {
    alarmName: options.alarmName,
    evaluationPeriods: options.evaluationPeriods ?? 1,
    datapointsToAlarm: options.datapointsToAlarm,
    treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.BREACHING,
    actionsEnabled: options.actionsEnabled,
  };
}
