export * from './client-vpn/authorizations';
export * from './client-vpn/certificate-revocation-list';
export * from './client-vpn/revocations';
export * from './elasticache/cache-access';
export * from './elasticache/cache-security-group';
export * from './elasticache/cache-security-group-ingress';
export * from './review/access-model';
export * from './site-to-site-vpn';
