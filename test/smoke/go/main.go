// Smoke app for the Go module: synthesizes every construct family from the
// module jsii-pacmak wrote into dist/go, checks the template and the review's
// report, then checks two synth-time validation messages are the TypeScript ones.
// Usage: go run . <path to a PEM CRL>
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
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
	// The network access review: its report lands in the cloud assembly.
	na.NetworkAccessReview_Of(app, nil)
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

	// The review's report, written by the TypeScript code behind the Go API.
	dir := *app.Synth(nil).Directory()
	var report struct {
		SchemaVersion int `json:"schemaVersion"`
		Stacks        []struct {
			ClientVpnEndpoints []struct {
				Rules []struct {
					Cidr      string `json:"cidr"`
					Principal string `json:"principal"`
				} `json:"rules"`
			} `json:"clientVpnEndpoints"`
		} `json:"stacks"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "network-access.json"))
	if err == nil {
		err = json.Unmarshal(raw, &report)
	}
	if err != nil || report.SchemaVersion != 1 {
		fail("unexpected report (schemaVersion %d): %v", report.SchemaVersion, err)
	}
	var rules []string
	for _, s := range report.Stacks {
		for _, e := range s.ClientVpnEndpoints {
			for _, r := range e.Rules {
				rules = append(rules, r.Cidr+" "+r.Principal)
			}
		}
	}
	if !reflect.DeepEqual(rules, []string{"10.0.0.0/16 engineering"}) {
		fail("unexpected Client VPN rules in the report: %q", rules)
	}
	if _, err := os.Stat(filepath.Join(dir, "network-access.md")); err != nil {
		fail("no network-access.md: %v", err)
	}
	if msg := recovered(func() {
		na.NetworkAccessReview_Suppress(access, &[]*na.ReviewSuppression{{RuleId: jsii.String("NA-NOPE"), Reason: jsii.String("a reason")}})
	}); !strings.Contains(msg, "unknown review rule id 'NA-NOPE'") {
		fail("unexpected suppression message: %q", msg)
	}

	// Bad input: the same message a TypeScript user gets (test/client-vpn/authorizations.test.ts).
	expected := "cidr '10.0.0.5/24' has host bits set; did you mean '10.0.0.0/24'?"
	if msg := recovered(func() {
		bad := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Bad"), nil)
		na.NewClientVpnAuthorizations(bad, jsii.String("Access"), &na.ClientVpnAuthorizationsProps{
			ClientVpnEndpointId: jsii.String(endpoint),
			Rules:               &[]*na.ClientVpnAuthorizationRuleOptions{{Cidr: jsii.String("10.0.0.5/24"), GroupId: jsii.String("g")}},
		})
	}); !strings.Contains(msg, expected) {
		fail("unexpected validation message: %q", msg)
	}
	fmt.Println(`{"go": "ok"}`)
}

// recovered runs f and returns the panic jsii raised, or "" when f returned.
func recovered(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}
