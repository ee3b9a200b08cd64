// Smoke app for the Go module: synthesizes every construct family from the
// module jsii-pacmak wrote into dist/go, checks the template, then checks one
// synth-time validation message is the TypeScript one.
// Usage: go run . <path to a PEM CRL>
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	na "github.com/cdk-network-access/cdk-network-access-go/cdknetworkaccess"
)

const endpoint = "cvpn-endpoint-0123456789abcdef0"

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("SmokeGo"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")},
	})

	access := na.NewClientVpnAuthorizations(stack, jsii.String("Access"), &na.ClientVpnAuthorizationsProps{
		ClientVpnEndpointId: jsii.String(endpoint),
	})
	access.AllowGroup(jsii.String("engineering"), jsii.String("10.0.0.0/16"), jsii.String("Engineering: the whole VPC"))
	na.NewClientVpnRevocations(stack, jsii.String("Offboarded"), &na.ClientVpnRevocationsProps{
		ClientVpnEndpointId: jsii.String(endpoint),
		Usernames:           jsii.Strings("alice@example.com"),
	})
	na.NewClientVpnCertificateRevocationList(stack, jsii.String("Crl"), &na.ClientVpnCertificateRevocationListProps{
		ClientVpnEndpointId:       jsii.String(endpoint),
		CertificateRevocationList: na.CertificateRevocationList_FromFile(jsii.String(os.Args[1])),
	})
	na.NewSiteToSiteVpn(stack, jsii.String("Branch"), &na.SiteToSiteVpnProps{
		TransitGatewayId: jsii.String("tgw-0123456789abcdef0"),
		CustomerGateway:  &na.SiteToSiteVpnCustomerGatewayOptions{IpAddress: jsii.String("198.51.100.24"), BgpAsn: jsii.Number(65010)},
	})
	na.NewCacheSecurityGroupIngress(stack, jsii.String("LegacyCache"), &na.CacheSecurityGroupIngressProps{
		CacheSecurityGroupName: jsii.String("legacy-sessions"),
		Sources:                &[]na.CacheIngressSource{na.CacheIngressSource_FromSecurityGroupName(jsii.String("app-servers"), jsii.String("123456789012"))},
	})

	template := assertions.Template_FromStack(stack, nil)
	for _, t := range []string{
		"Custom::NetworkAccessClientVpnAuthorizations",
		"Custom::NetworkAccessClientVpnRevocations",
		"Custom::NetworkAccessClientVpnCertificateRevocationList",
		"Custom::NetworkAccessSiteToSiteVpnConnection",
		"Custom::NetworkAccessCacheSecurityGroupIngress",
	} {
		template.ResourceCountIs(jsii.String(t), jsii.Number(1))
	}
	template.HasResourceProperties(jsii.String("Custom::NetworkAccessClientVpnAuthorizations"), map[string]interface{}{
		"ClientVpnEndpointId": endpoint,
		"Rules": assertions.Match_ArrayWith(&[]interface{}{
			assertions.Match_ObjectLike(&map[string]interface{}{"Cidr": "10.0.0.0/16", "GroupId": "engineering"}),
		}),
	})
	template.HasResourceProperties(jsii.String("Custom::NetworkAccessCacheSecurityGroupIngress"), map[string]interface{}{
		"CacheSecurityGroupName": "legacy-sessions",
	})

	// Bad input: the same message a TypeScript user gets (test/client-vpn/authorizations.test.ts).
	expected := "cidr '10.0.0.5/24' has host bits set; did you mean '10.0.0.0/24'?"
	if msg := badCidr(); !strings.Contains(msg, expected) {
		fmt.Fprintf(os.Stderr, "unexpected validation message: %q\n", msg)
		os.Exit(1)
	}
	fmt.Println(`{"go": "ok"}`)
}

// badCidr declares a rule whose cidr has host bits set and returns the panic
// jsii raised, or "" when the construct accepted it.
func badCidr() (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	bad := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Bad"), nil)
	na.NewClientVpnAuthorizations(bad, jsii.String("Access"), &na.ClientVpnAuthorizationsProps{
		ClientVpnEndpointId: jsii.String(endpoint),
		Rules:               &[]*na.ClientVpnAuthorizationRuleOptions{{Cidr: jsii.String("10.0.0.5/24"), GroupId: jsii.String("g")}},
	})
	return ""
}
