import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { suppressNagRules } from './nag-suppressions';

/** Options of one custom-resource handler type. */
export interface HandlerProviderOptions {
  /** Folder name of the handler under lambda/ (and of its bundle under assets/lambda/). */
  readonly handler: string;
  /** Human description of the handler's Lambda function. */
  readonly description: string;
  /** How long one resource may take in all before the deploy fails with a reason. */
  readonly totalTimeout: Duration;
  /** How often `isComplete` is called while a change settles. */
  readonly queryInterval: Duration;
  /** Timeout of one handler invocation. */
  readonly timeout: Duration;
  /** Memory of the handler function. */
  readonly memorySize?: number;
  /**
   * Statements every instance needs (Describe* calls). Statements scoped to a
   * resource are added by each construct with `addToRolePolicy`.
   */
  readonly statements?: iam.PolicyStatement[];
}

/**
 * One custom-resource provider per stack per handler type: the handler
 * function (with its own role and log group), the Provider framework
 * functions, and the waiter state machine.
 *
 * The handler's `isComplete` gives up with a reason two minutes before
 * `totalTimeout` (it reads TOTAL_TIMEOUT_SECONDS), so a deploy never ends on the
 * framework's bare "Operation timed out".
 */
export class HandlerProvider extends Construct {
  /** The provider of `handler` in the stack of `scope`, created on first use. */
  public static getOrCreate(scope: IConstruct, options: HandlerProviderOptions): HandlerProvider {
    const stack = Stack.of(scope);
    const id = `NetworkAccessProvider-${options.handler}`;
    const existing = stack.node.tryFindChild(id);
    if (existing) {
      return existing as HandlerProvider;
    }
    return new HandlerProvider(stack, id, options);
  }

  /** Service token for `CustomResource`. */
  public readonly serviceToken: string;
  /** The handler function's role. */
  public readonly role: iam.Role;
  /** The handler function. */
  public readonly handlerFunction: lambda.Function;

  private readonly statementKeys = new Set<string>();

  private constructor(scope: Construct, id: string, options: HandlerProviderOptions) {
    super(scope, id);

    const handlerLogGroup = new logs.LogGroup(this, 'HandlerLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
    });
    this.role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Role of the ${options.handler} custom-resource handler (cdk-network-access)`,
    });
    // An explicit grant instead of AWSLambdaBasicExecutionRole: writes only to its own log group.
    handlerLogGroup.grantWrite(this.role);
    for (const statement of options.statements ?? []) {
      this.addToRolePolicy(statement);
    }

    // One bundle, two entry points: onEvent starts a change, isComplete drives it.
    const code = lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', 'lambda', options.handler, 'index'));
    const functionProps = {
      code,
      // The newest Node.js runtime the aws-cdk-lib floor knows; pinned so that
      // templates do not move when aws-cdk-lib learns a newer one.
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: options.memorySize ?? 256,
      timeout: options.timeout,
      role: this.role,
      logGroup: handlerLogGroup,
      environment: {
        TOTAL_TIMEOUT_SECONDS: String(options.totalTimeout.toSeconds()),
      },
    };
    this.handlerFunction = new lambda.Function(this, 'OnEvent', {
      ...functionProps,
      description: `${options.description} (onEvent)`,
      handler: 'index.onEvent',
    });
    const isCompleteFunction = new lambda.Function(this, 'IsComplete', {
      ...functionProps,
      description: `${options.description} (isComplete)`,
      handler: 'index.isComplete',
    });

    const frameworkLogGroup = new logs.LogGroup(this, 'FrameworkLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
    });
    // Two roles, as the framework needs: the onEvent function starts the
    // waiter, and the waiter calls the isComplete/onTimeout functions; one
    // shared role would make the template circular.
    const frameworkRole = (name: string, what: string) => {
      const role = new iam.Role(this, name, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Role of the Provider framework ${what} of ${options.handler} (cdk-network-access)`,
      });
      frameworkLogGroup.grantWrite(role);
      return role;
    };
    const waiterLogGroup = new logs.LogGroup(this, 'WaiterLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
    });

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handlerFunction,
      isCompleteHandler: isCompleteFunction,
      queryInterval: options.queryInterval,
      totalTimeout: options.totalTimeout,
      frameworkOnEventRole: frameworkRole('FrameworkOnEventRole', 'onEvent function'),
      frameworkCompleteAndTimeoutRole: frameworkRole('FrameworkWaiterRole', 'isComplete and onTimeout functions'),
      logGroup: frameworkLogGroup,
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: waiterLogGroup,
        level: sfn.LogLevel.ALL,
        // The execution input carries the pre-signed ResponseURL; keep it out of the logs.
        includeExecutionData: false,
      },
    });
    this.serviceToken = provider.serviceToken;

    // cdk-nag AwsSolutions: each finding below is explained where it arises.
    suppressNagRules(this.role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'EC2 Describe* actions support no resource-level permissions and need "*"; every mutating action is scoped to the ARNs of the resources the constructs declare.',
      appliesTo: ['Resource::*'],
    }]);
    const invokeVersions = {
      id: 'AwsSolutions-IAM5',
      reason: 'The Provider framework lets its functions invoke the handler and framework functions and their versions ("<function ARN>:*"); nothing else is granted.',
      appliesTo: [{ regex: '/^Resource::<[A-Za-z0-9]+\\.Arn>:\\*$/g' }],
    };
    suppressNagRules(this.node.findChild('FrameworkOnEventRole'), [invokeVersions]);
    suppressNagRules(this.node.findChild('FrameworkWaiterRole'), [invokeVersions]);
    const waiter = provider.node.findChild('waiter-state-machine');
    suppressNagRules(waiter, [
      {
        ...invokeVersions,
        reason: `${invokeVersions.reason} The state machine also needs CloudWatch Logs delivery actions, which support only "*".`,
        appliesTo: [...invokeVersions.appliesTo, 'Resource::*'],
      },
      {
        id: 'AwsSolutions-SF2',
        reason: 'The Provider framework offers no X-Ray tracing for its waiter state machine, which only polls isComplete.',
      },
    ]);
    for (const name of ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout']) {
      suppressNagRules(provider.node.findChild(name), [{
        id: 'AwsSolutions-L1',
        reason: 'aws-cdk-lib chooses the runtime of the Provider framework functions; our own handler runs on the newest Node.js runtime of our aws-cdk-lib floor.',
      }]);
    }
  }

  /** Add a statement to the handler role, once per (actions, resources). */
  public addToRolePolicy(statement: iam.PolicyStatement): void {
    const json = statement.toStatementJson();
    const key = JSON.stringify(Stack.of(this).resolve(json));
    if (this.statementKeys.has(key)) {
      return;
    }
    this.statementKeys.add(key);
    this.role.addToPrincipalPolicy(statement);
  }
}
