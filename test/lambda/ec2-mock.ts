/**
 * The EC2 mock every handler test shares: unexpected commands reject (so a
 * stray call fails the test through the handler's own error path), the
 * clock is manual, and console output is captured as parsed log records.
 */
import {
  AuthorizationRule,
  AuthorizeClientVpnIngressCommand,
  AuthorizeClientVpnIngressCommandInput,
  DescribeClientVpnAuthorizationRulesCommand,
  DescribeClientVpnAuthorizationRulesCommandInput,
  EC2Client,
  RevokeClientVpnIngressCommand,
  RevokeClientVpnIngressCommandInput,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { ManualClock } from './fixtures';
import { useClock } from '../../lambda/shared/clock';
import { SimulatedParameterStore } from '../support/simulated-parameter-store';

export const ec2 = mockClient(EC2Client);

export interface Harness {
  readonly clock: ManualClock;
  /** The sets' ownership records (a fresh, empty store per test). */
  readonly parameters: SimulatedParameterStore;
  /** Every log record written so far, parsed. */
  logs(): Array<Record<string, unknown>>;
}

/** Call in a describe block; returns accessors valid inside tests. */
export function useHarness(): Harness {
  let clock = new ManualClock();
  let parameters = new SimulatedParameterStore();
  let restoreClock: () => void = () => undefined;
  let lines: string[] = [];
  let spy: jest.SpyInstance | undefined;
  const savedEnv = { ...process.env };

  beforeEach(() => {
    ec2.reset();
    ec2.onAnyCommand().rejects(new Error('unexpected AWS call'));
    clock = new ManualClock();
    restoreClock = useClock(clock);
    parameters = new SimulatedParameterStore({ now: () => clock.now() });
    parameters.install();
    lines = [];
    spy = jest.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line); });
    delete process.env.TOTAL_TIMEOUT_SECONDS;
    delete process.env.MAX_MUTATIONS_PER_ENDPOINT;
  });
  afterEach(() => {
    parameters.restore();
    restoreClock();
    spy?.mockRestore();
    process.env = { ...savedEnv };
  });

  return {
    get clock() { return clock; },
    get parameters() { return parameters; },
    logs: () => lines.map(line => JSON.parse(line) as Record<string, unknown>),
  };
}

export function describeReturns(...rules: AuthorizationRule[]): void {
  ec2.on(DescribeClientVpnAuthorizationRulesCommand).resolves({ AuthorizationRules: rules });
}

export function authorizeSucceeds(): void {
  ec2.on(AuthorizeClientVpnIngressCommand).resolves({ Status: { Code: 'authorizing' } });
}

export function revokeSucceeds(): void {
  ec2.on(RevokeClientVpnIngressCommand).resolves({ Status: { Code: 'revoking' } });
}

export function describeCalls(): DescribeClientVpnAuthorizationRulesCommandInput[] {
  return ec2.commandCalls(DescribeClientVpnAuthorizationRulesCommand).map(call => call.args[0].input);
}

export function authorizeCalls(): AuthorizeClientVpnIngressCommandInput[] {
  return ec2.commandCalls(AuthorizeClientVpnIngressCommand).map(call => call.args[0].input);
}

export function revokeCalls(): RevokeClientVpnIngressCommandInput[] {
  return ec2.commandCalls(RevokeClientVpnIngressCommand).map(call => call.args[0].input);
}

/** Number of Authorize + Revoke calls made. */
export function mutationCount(): number {
  return authorizeCalls().length + revokeCalls().length;
}
