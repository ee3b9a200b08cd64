package smoke;

import java.util.List;
import java.util.Map;

import io.github.cdknetworkaccess.cdk.networkaccess.CacheIngressSource;
import io.github.cdknetworkaccess.cdk.networkaccess.CacheSecurityGroupIngress;
import io.github.cdknetworkaccess.cdk.networkaccess.CertificateRevocationList;
import io.github.cdknetworkaccess.cdk.networkaccess.ClientVpnAuthorizationRuleOptions;
import io.github.cdknetworkaccess.cdk.networkaccess.ClientVpnAuthorizations;
import io.github.cdknetworkaccess.cdk.networkaccess.ClientVpnCertificateRevocationList;
import io.github.cdknetworkaccess.cdk.networkaccess.ClientVpnRevocations;
import io.github.cdknetworkaccess.cdk.networkaccess.SiteToSiteVpn;
import io.github.cdknetworkaccess.cdk.networkaccess.SiteToSiteVpnCustomerGatewayOptions;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * Smoke app for the Java package: synthesizes every construct family, checks
 * the template, then checks one synth-time validation message is the
 * TypeScript one. Argument: the path of a PEM CRL.
 */
public final class App {
  private static final String ENDPOINT = "cvpn-endpoint-0123456789abcdef0";

  public static void main(final String[] args) {
    software.amazon.awscdk.App app = new software.amazon.awscdk.App();
    Stack stack = new Stack(app, "SmokeJava", StackProps.builder()
        .env(Environment.builder().account("123456789012").region("eu-west-1").build()).build());

    ClientVpnAuthorizations access = ClientVpnAuthorizations.Builder.create(stack, "Access")
        .clientVpnEndpointId(ENDPOINT).build();
    access.allowGroup("engineering", "10.0.0.0/16", "Engineering: the whole VPC");
    ClientVpnRevocations.Builder.create(stack, "Offboarded")
        .clientVpnEndpointId(ENDPOINT).usernames(List.of("alice@example.com")).build();
    ClientVpnCertificateRevocationList.Builder.create(stack, "Crl")
        .clientVpnEndpointId(ENDPOINT)
        .certificateRevocationList(CertificateRevocationList.fromFile(args[0])).build();
    SiteToSiteVpn.Builder.create(stack, "Branch")
        .transitGatewayId("tgw-0123456789abcdef0")
        .customerGateway(SiteToSiteVpnCustomerGatewayOptions.builder().ipAddress("198.51.100.24").bgpAsn(65010).build())
        .build();
    CacheSecurityGroupIngress.Builder.create(stack, "LegacyCache")
        .cacheSecurityGroupName("legacy-sessions")
        .sources(List.of(CacheIngressSource.fromSecurityGroupName("app-servers", "123456789012"))).build();

    Template template = Template.fromStack(stack);
    for (String type : List.of(
        "Custom::NetworkAccessClientVpnAuthorizations",
        "Custom::NetworkAccessClientVpnRevocations",
        "Custom::NetworkAccessClientVpnCertificateRevocationList",
        "Custom::NetworkAccessSiteToSiteVpnConnection",
        "Custom::NetworkAccessCacheSecurityGroupIngress")) {
      template.resourceCountIs(type, 1);
    }
    template.hasResourceProperties("Custom::NetworkAccessClientVpnAuthorizations", Map.of(
        "ClientVpnEndpointId", ENDPOINT,
        "Rules", Match.arrayWith(List.of(Match.objectLike(Map.of("Cidr", "10.0.0.0/16", "GroupId", "engineering"))))));
    template.hasResourceProperties("Custom::NetworkAccessCacheSecurityGroupIngress", Map.of(
        "CacheSecurityGroupName", "legacy-sessions"));

    // Bad input: the same message a TypeScript user gets (test/client-vpn/authorizations.test.ts).
    String expected = "cidr '10.0.0.5/24' has host bits set; did you mean '10.0.0.0/24'?";
    Stack bad = new Stack(new software.amazon.awscdk.App(), "Bad");
    try {
      ClientVpnAuthorizations.Builder.create(bad, "Access").clientVpnEndpointId(ENDPOINT)
          .rules(List.of(ClientVpnAuthorizationRuleOptions.builder().cidr("10.0.0.5/24").groupId("g").build())).build();
      throw new AssertionError("a cidr with host bits set was accepted");
    } catch (RuntimeException err) {
      if (err.getMessage() == null || !err.getMessage().contains(expected)) {
        throw new AssertionError("unexpected validation message: " + err.getMessage(), err);
      }
    }
    System.out.println("{\"java\": \"ok\"}");
  }
}
