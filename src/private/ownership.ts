import { Aws, aws_iam as iam } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { suppressNagRules } from './nag-suppressions';

/**
 * IAM for the ownership records a handler keeps in Parameter Store (see
 * lambda/shared/ownership.ts): read every record of a target, write and
 * delete its own. GetParametersByPath is authorized against the path itself
 * (`parameter/cdk-network-access/<family>/<target>`), which the wildcard
 * covers; nothing outside the family's path is granted.
 */
export function ownershipStatements(family: string): iam.PolicyStatement[] {
  return [new iam.PolicyStatement({
    actions: ['ssm:GetParametersByPath', 'ssm:PutParameter', 'ssm:DeleteParameters'],
    resources: [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter/cdk-network-access/${family}/*`],
  })];
}

/** The cdk-nag IAM5 finding of `ownershipStatements`, explained on the handler role. */
export function suppressOwnershipWildcard(role: IConstruct, family: string, what: string): void {
  suppressNagRules(role, [{
    id: 'AwsSolutions-IAM5',
    reason: `The ownership records of ${what} live under one Parameter Store path per family; the handler reads every record of a target and writes its own, so the grant ends in "/*" under that family path and nowhere else.`,
    appliesTo: [{ regex: `/^Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter\\/cdk-network-access\\/${family}\\/\\*$/g` }],
  }]);
}
