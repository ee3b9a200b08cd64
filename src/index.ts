export * from './client-vpn/authorizations';
export * from './review/access-model';
