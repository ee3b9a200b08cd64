import * as fs from 'fs';
import * as path from 'path';
import { awscdk, javascript, JsonFile } from 'projen';
import { DependencyType } from 'projen/lib/dependencies';
import { UpdateSnapshot } from 'projen/lib/javascript';

/**
 * The aws-cdk-lib floor. It must contain the Provider waiter fix (aws/aws-cdk
 * PR #35988): before it, waiter executions were named after the CloudFormation
 * RequestId, so a retried deploy of any resource that waits in `isComplete`
 * failed with ExecutionAlreadyExists. 2.232.2 still has the bug and 2.233.0 is
 * the first release without it (checked in the published packages). We floor
 * at 2.236.0, the first release after the fix with a matching
 * @aws-cdk/integ-tests-alpha, so the integ apps build against the floor itself.
 */
const CDK_FLOOR = '2.236.0';

/**
 * AWS SDK v3 clients bundled into the handlers. Pinned exactly: the bundle
 * ships the version the tests ran, not whatever the Lambda runtime carries.
 */
const AWS_SDK_VERSION = '3.1169.0';
/** The registry's newest @aws-sdk/client-secrets-manager trails the other clients. */
const AWS_SDK_SECRETS_MANAGER_VERSION = '3.1162.0';
/** The registry's newest @aws-sdk/client-elasticache trails the other clients too. */
const AWS_SDK_ELASTICACHE_VERSION = '3.1127.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-network-access',
  description: 'AWS CDK constructs that declare network access as code: Client VPN authorization rules and sessions, site-to-site VPN connections, ElastiCache cache security group ingress.',
  author: 'cdk-network-access developers',
  authorAddress: 'maintainers@example.com',
  repositoryUrl: 'https://github.com/cdk-network-access/cdk-network-access.git',
  homepage: 'https://github.com/cdk-network-access/cdk-network-access',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'client-vpn', 'vpn', 'site-to-site-vpn', 'network-access', 'authorization', 'elasticache'],
  license: 'Apache-2.0',
  stability: 'experimental',

  // The other jsii languages, named after the npm package and the repository
  // (github.com/cdk-network-access). A release workflow would publish these;
  // no credentials are configured or needed here (release: false).
  publishToPypi: { distName: 'cdk-network-access', module: 'cdk_network_access' },
  publishToMaven: {
    javaPackage: 'io.github.cdknetworkaccess.cdk.networkaccess',
    mavenGroupId: 'io.github.cdk-network-access',
    mavenArtifactId: 'cdk-network-access',
  },
  publishToGo: { moduleName: 'github.com/cdk-network-access/cdk-network-access-go' },
  publishToNuget: { dotNetNamespace: 'CdkNetworkAccess', packageId: 'CdkNetworkAccess' },

  cdkVersion: CDK_FLOOR,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',
  // The operators' command-line tool (cli/), bundled below like the handlers.
  bin: { 'cdk-network-access': 'assets/cli/index/index.js' },

  // Handlers live in lambda/ (outside jsii's view) and are bundled below.
  lambdaAutoDiscover: false,
  integrationTestAutoDiscover: false,
  experimentalIntegRunner: true,

  // IPv6 (and IPv4) address parsing for the review's security group analysis;
  // jsii bundles it into the package. Small, no dependencies.
  bundledDeps: ['ipaddr.js@2.5.0'],

  devDeps: [
    // Validates review reports against the shipped JSON Schema in tests.
    'ajv@^8',
    'js-yaml@^4',
    '@types/js-yaml@^4',
    `@aws-sdk/client-ec2@${AWS_SDK_VERSION}`,
    `@aws-sdk/client-s3@${AWS_SDK_VERSION}`,
    `@aws-sdk/client-secrets-manager@${AWS_SDK_SECRETS_MANAGER_VERSION}`,
    // Ownership records of rule sets and the enforcement lease (Parameter Store).
    `@aws-sdk/client-ssm@${AWS_SDK_VERSION}`,
    `@aws-sdk/client-elasticache@${AWS_SDK_ELASTICACHE_VERSION}`,
    'aws-sdk-client-mock@4.1.0',
    'aws-sdk-client-mock-jest@4.1.0',
    'fast-check@^4',
    // cdk-nag 3 needs aws-cdk-lib >= 2.257; 2.38 is the newest that supports our floor.
    'cdk-nag@2.38.2',
    'esbuild@^0.28',
    // The command-line tool's argument parser; bundled into assets/cli/index/index.js.
    'commander@^12',
  ],

  jestOptions: {
    // A snapshot must be able to fail in CI: never write snapshots while testing.
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
      // The moto server (PyPI, pinned in .ci/requirements.txt) on 127.0.0.1 for
      // the emulator tests; started once per run, stopped after it.
      globalSetup: '<rootDir>/test/support/moto/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/moto/global-teardown.ts',
      testTimeout: 60_000,
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'lambda', 'cli', 'bench', 'examples', 'scripts'],
    // One program for every linted file (see tsconfig.dev.json below).
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },
  tsconfigDev: {
    compilerOptions: {},
    // Relative to test/: the jest config type-checks handlers, benchmarks and examples too.
    include: ['../lambda/**/*.ts', '../cli/**/*.ts', '../bench/**/*.ts', '../examples/**/*.ts', '../scripts/**/*.ts'],
  },

  gitignore: ['cdk.out/', '.jsii.tabl.json', '/examples/cdk.out/', '/bench/.work/', '**/*.snapshot/asset.*', '.ci-tools/'],
  npmignoreEnabled: true,
  docgen: true,
  github: false,
  release: false,
});

// One type-checking config for everything outside the jsii build (handlers,
// tests, benchmarks, examples, scripts); esbuild and ts-node use it too.
new JsonFile(project, 'tsconfig.dev.json', {
  obj: {
    extends: './tsconfig.json',
    compilerOptions: { rootDir: '.', noEmit: true, isolatedModules: true },
    include: ['src/**/*.ts', 'test/**/*.ts', 'lambda/**/*.ts', 'cli/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts', 'scripts/**/*.ts', '.projenrc.ts', 'projenrc/**/*.ts'],
    exclude: ['node_modules', 'test/**/*.snapshot/**', 'cdk.out'],
  },
});

// The registry this project builds from serves unrs-resolver 1.13.0 (pulled in
// by eslint-import-resolver-typescript) without most of its platform bindings,
// so the lock file cannot list them and `npm ci` refuses it. 1.12.2 is
// complete everywhere.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// Pin the integ tooling the IntegRunner component would otherwise add @latest.
project.deps.removeDependency('@aws-cdk/integ-runner');
project.deps.removeDependency('@aws-cdk/integ-tests-alpha');
project.deps.addDependency('@aws-cdk/integ-runner@2.197.10', DependencyType.DEVENV);
project.deps.addDependency(`@aws-cdk/integ-tests-alpha@${CDK_FLOOR}-alpha.0`, DependencyType.DEVENV);

// ---------------------------------------------------------------------------
// Handlers: every lambda/<name>/index.ts is bundled (AWS SDK included, minified)
// into assets/lambda/<name>/index/index.js, which the npm tarball ships.
// ---------------------------------------------------------------------------
const handlerNames = fs.readdirSync(path.join(__dirname, 'lambda'), { withFileTypes: true })
  .filter(d => d.isDirectory() && d.name !== 'shared' && fs.existsSync(path.join(__dirname, 'lambda', d.name, 'index.ts')))
  .map(d => d.name)
  .sort();
/** What every bundle shares: self-contained (nothing external), minified, built with tsconfig.dev.json. */
const bundleDefaults: Omit<javascript.AddBundleOptions, 'target'> = {
  platform: 'node',
  externals: [],
  minify: true,
  sourcemap: false,
  watchTask: false,
  tsconfigPath: 'tsconfig.dev.json',
  metafile: false,
};
for (const name of handlerNames) {
  // The Lambda runtime is Node.js 24 (see src/private/provider.ts); esbuild
  // only needs a target no newer than it.
  project.bundler.addBundle(`lambda/${name}/index.ts`, { ...bundleDefaults, target: 'node22' });
}
// The command-line tool: cli/index.ts bundled (commander and the EC2 client
// included, minified) into assets/cli/index/index.js with a shebang; the
// package's `bin` points at it, so it adds no runtime dependency.
project.bundler.addBundle('cli/index.ts', { ...bundleDefaults, target: 'node20', banner: '#!/usr/bin/env node' });
project.npmignore?.addPatterns('/.ci-tools/', '/lambda/', '/cli/', '/bench/', '/examples/', '/scripts/', '/rosetta/', '/.ci/', '/cdk.out/');

// ---------------------------------------------------------------------------
// README examples compile (jsii-rosetta strict), and the tarball carries the handlers.
// ---------------------------------------------------------------------------
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile every TypeScript example in the README with jsii-rosetta (strict)',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);

const checkPackage = project.addTask('check:package', {
  description: 'Prove the npm tarball ships every bundled handler (npm pack --dry-run)',
  exec: 'ts-node --project tsconfig.dev.json scripts/check-package.ts',
});
project.packageTask.spawn(checkPackage);

// ---------------------------------------------------------------------------
// The README's main job: synthesize the example app into cdk.out/.
// ---------------------------------------------------------------------------
project.addTask('synth:example', {
  description: 'Bundle the handlers and synthesize the example app into cdk.out/',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project tsconfig.dev.json examples/app.ts' },
  ],
});

// Benchmarks: one command, writes bench/results.md. Not part of `test`.
project.addTask('bench', {
  description: 'Run the benchmarks and write bench/results.md',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project tsconfig.dev.json bench/run.ts' },
  ],
});

// The Java smoke app's Maven output (after projen's `!/test/`, which would undo it).
project.gitignore.addPatterns('/test/smoke/java/target/');

// The Go module: generated only (--code-only). pacmak's own check builds it
// against aws-cdk-go v2.236.0 (our floor), which does not compile with Go 1.26
// ("ambiguous selector ... With" in awsiam, awselasticache); the Go smoke app
// (test/smoke/go) builds and runs the module against aws-cdk-go v2.257.0 instead.
project.tasks.tryFind('package:go')?.reset('jsii-pacmak -v --target go --code-only');

// .NET bindings need a .NET SDK: build them only where one is installed, so a
// local `projen build` (which runs package-all outside CI) passes without it.
project.tasks.tryFind('package:dotnet')?.addCondition('command -v dotnet >/dev/null');

project.synth();
