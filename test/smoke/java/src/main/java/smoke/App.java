package smoke;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.cdknetworkaccess.cdk.networkaccess.CacheIngressSource;
import io.github.cdknetworkaccess.cdk.networkaccess.CacheSecurityGroupIngress;
import io.github.cdknetworkaccess.cdk.networkaccess.CertificateRevocationList;
import io.github.cdknetworkaccess.cdk.networkaccess.ClientVpnAuthorizationRuleOptions;
import io.github.cdknetworkaccess.cdk.networkaccess.ClientVpnAuthorizations;
import io.github.cdknetworkaccess.cdk.networkaccess.ClientVpnCertificateRevocationList;
import io.github.cdknetworkaccess.cdk.networkaccess.ClientVpnRevocations;
import io.github.cdknetworkaccess.cdk.networkaccess.NetworkAccessReview;
import io.github.cdknetworkaccess.cdk.networkaccess.ReviewSuppression;
import io.github.cdknetworkaccess.cdk.networkaccess.SiteToSiteVpn;
import io.github.cdknetworkaccess.cdk.networkaccess.SiteToSiteVpnCustomerGatewayOptions;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;

/**
 * Smoke app for the Java package: synthesizes every construct family, checks
 * the template and the review's report, then checks two synth-time validation
 * messages are the TypeScript ones. Argument: the path of a PEM CRL.
 */
public final class App {
  private static final String ENDPOINT = "cvpn-endpoint-0123456789abcdef0";

  public static void main(final String[] args) throws IOException {
    software.amazon.awscdk.App app = new software.amazon.awscdk.App();
    // The network access review: its report lands in the cloud assembly.
    NetworkAccessReview.of(app);
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

    // The review's report, written by the TypeScript code behind the Java API.
    CloudAssembly assembly = app.synth();
    JsonNode report = new ObjectMapper().readTree(new File(assembly.getDirectory(), "network-access.json"));
    if (report.path("schemaVersion").asInt() != 1) {
      throw new AssertionError("unexpected report: " + report);
    }
    List<String> rules = new ArrayList<>();
    for (JsonNode s : report.path("stacks")) {
      for (JsonNode e : s.path("clientVpnEndpoints")) {
        for (JsonNode r : e.path("rules")) {
          rules.add(r.path("cidr").asText() + " " + r.path("principal").asText());
        }
      }
    }
    if (!rules.equals(List.of("10.0.0.0/16 engineering"))) {
      throw new AssertionError("unexpected Client VPN rules in the report: " + rules);
    }
    if (!new File(assembly.getDirectory(), "network-access.md").isFile()) {
      throw new AssertionError("no network-access.md in " + assembly.getDirectory());
    }
    try {
      NetworkAccessReview.suppress(access, List.of(ReviewSuppression.builder().ruleId("NA-NOPE").reason("a reason").build()));
      throw new AssertionError("an unknown review rule id was accepted");
    } catch (RuntimeException err) {
      if (err.getMessage() == null || !err.getMessage().contains("unknown review rule id 'NA-NOPE'")) {
        throw new AssertionError("unexpected suppression message: " + err.getMessage(), err);
      }
    }

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
