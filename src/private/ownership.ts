import { Aws, aws_iam as iam } from 'aws-cdk-lib';

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
