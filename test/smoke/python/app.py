"""Smoke app for the Python package: synthesizes every construct family and
checks the template, then checks one synth-time validation message is the
TypeScript one. Run by .ci/jsii-packages in a fresh venv with the built wheel.
Usage: python app.py <path to a PEM CRL>"""
import json
import os
import sys

import aws_cdk as cdk
from aws_cdk import assertions
import cdk_network_access as na

crl_path = sys.argv[1]
app = cdk.App()
# The network access review: its report lands in the cloud assembly.
review = na.NetworkAccessReview.of(app)
stack = cdk.Stack(app, "SmokePython", env=cdk.Environment(account="123456789012", region="eu-west-1"))

access = na.ClientVpnAuthorizations(stack, "Access", client_vpn_endpoint_id="cvpn-endpoint-0123456789abcdef0")
access.allow_group("engineering", "10.0.0.0/16", "Engineering: the whole VPC")
na.ClientVpnRevocations(stack, "Offboarded", client_vpn_endpoint_id="cvpn-endpoint-0123456789abcdef0",
                        usernames=["alice@example.com"])
na.ClientVpnCertificateRevocationList(stack, "Crl", client_vpn_endpoint_id="cvpn-endpoint-0123456789abcdef0",
                                      certificate_revocation_list=na.CertificateRevocationList.from_file(crl_path))
na.SiteToSiteVpn(stack, "Branch", transit_gateway_id="tgw-0123456789abcdef0",
                 customer_gateway=na.SiteToSiteVpnCustomerGatewayOptions(ip_address="198.51.100.24", bgp_asn=65010))
na.CacheSecurityGroupIngress(stack, "LegacyCache", cache_security_group_name="legacy-sessions",
                             sources=[na.CacheIngressSource.from_security_group_name("app-servers", "123456789012")])

template = assertions.Template.from_stack(stack)
for resource_type in [
    "Custom::NetworkAccessClientVpnAuthorizations",
    "Custom::NetworkAccessClientVpnRevocations",
    "Custom::NetworkAccessClientVpnCertificateRevocationList",
    "Custom::NetworkAccessSiteToSiteVpnConnection",
    "Custom::NetworkAccessCacheSecurityGroupIngress",
]:
    template.resource_count_is(resource_type, 1)
template.has_resource_properties("Custom::NetworkAccessClientVpnAuthorizations", {
    "ClientVpnEndpointId": "cvpn-endpoint-0123456789abcdef0",
    "Rules": assertions.Match.array_with([assertions.Match.object_like({"Cidr": "10.0.0.0/16", "GroupId": "engineering"})]),
})
template.has_resource_properties("Custom::NetworkAccessCacheSecurityGroupIngress", {
    "CacheSecurityGroupName": "legacy-sessions",
})

# The review's report, written by the TypeScript code behind the Python API.
assembly = app.synth()
with open(os.path.join(assembly.directory, "network-access.json")) as f:
    report = json.load(f)
assert report["schemaVersion"] == 1, report
endpoints = [e for s in report["stacks"] for e in s["clientVpnEndpoints"]]
assert [(r["cidr"], r["principal"]) for e in endpoints for r in e["rules"]] == [("10.0.0.0/16", "engineering")], endpoints
assert os.path.exists(os.path.join(assembly.directory, "network-access.md"))
try:
    na.NetworkAccessReview.suppress(access, [na.ReviewSuppression(rule_id="NA-NOPE", reason="a reason")])
except Exception as err:
    if "unknown review rule id 'NA-NOPE'" not in str(err):
        sys.exit(f"unexpected suppression message: {err}")
else:
    sys.exit("an unknown review rule id was accepted")

# Bad input: the same message a TypeScript user gets (test/client-vpn/authorizations.test.ts).
expected = "cidr '10.0.0.5/24' has host bits set; did you mean '10.0.0.0/24'?"
bad = cdk.Stack(cdk.App(), "Bad")
try:
    na.ClientVpnAuthorizations(bad, "Access", client_vpn_endpoint_id="cvpn-endpoint-0123456789abcdef0",
                               rules=[na.ClientVpnAuthorizationRuleOptions(cidr="10.0.0.5/24", group_id="g")])
except Exception as err:  # jsii surfaces the JavaScript error as a RuntimeError
    if expected not in str(err):
        sys.exit(f"unexpected validation message: {err}")
else:
    sys.exit("a cidr with host bits set was accepted")

print(json.dumps({"python": "ok", "resources": len(template.to_json()["Resources"])}))
