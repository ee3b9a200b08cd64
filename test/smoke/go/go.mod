module smoke

go 1.25.0

// The module jsii-pacmak wrote (never published).
replace github.com/cdk-network-access/cdk-network-access-go/cdknetworkaccess => ../../../dist/go/cdknetworkaccess

require (
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/cdk-network-access/cdk-network-access-go/cdknetworkaccess v0.0.0
)

require (
	github.com/Masterminds/semver/v3 v3.5.0 // indirect
	github.com/aws/constructs-go/constructs/v10 v10.5.1 // indirect
	github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 v2.2.273 // indirect
	github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2 v2.1.3 // indirect
	github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v53 v53.25.0 // indirect
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/yuin/goldmark v1.7.16 // indirect
	golang.org/x/lint v0.0.0-20241112194109-818c5a804067 // indirect
	golang.org/x/mod v0.39.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/telemetry v0.0.0-20260811182544-a038080d80e5 // indirect
	golang.org/x/tools v0.49.0 // indirect
	golang.org/x/tools/cmd/godoc v0.1.0-deprecated // indirect
	golang.org/x/tools/godoc v0.1.0-deprecated // indirect
)

// The generated module requires aws-cdk-go v2.236.0 (our aws-cdk-lib floor).
// That release resolves but does not compile with the Go toolchain here
// (awsiam, awselasticache: "ambiguous selector ... With"), so the smoke app
// raises it to v2.257.0, the nearest release >= 2.236.0 that the Go module
// proxy used by CI lists. Minimal version selection applies it to the
// generated module as well.
require github.com/aws/aws-cdk-go/awscdk/v2 v2.257.0
