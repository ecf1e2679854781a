// Notejam on Azure: what `azd provision` (and the provision half of `azd up`) deploys. The two apps are not here:
// azd deploys them itself from the AppHost's manifest, each from its template Notejam.AppHost/infra/<name>.tmpl.yaml
// (see docs/deploy.md, "Azure: azd up"), so `azd provision` never touches what runs (image, probes, scale, secrets).
//
//   rg-<environmentName>
//   ├── Log Analytics workspace ◄── Container Apps environment (Consumption workload profile)
//   │                                ├── web  container app, external HTTPS ingress        ┐ azd deploy, from
//   │                                └── api  container app, internal ingress only;        │ Notejam.AppHost/infra/
//   │                                         its init container runs the migrations first ┘ web|api.tmpl.yaml
//   ├── user-assigned identity of the api and its migrations: AcrPull on the registry, Key Vault Secrets User on the vault
//   ├── user-assigned identity of the web: AcrPull on the registry, Key Vault Secrets User on its own two secrets only
//   ├── container registry (admin user disabled): azd pushes the api and web images here
//   ├── Key Vault (RBAC): the notes database's connection string (api, migrations), the web's own (web, migrations),
//   │                     the SMTP password, the PostgreSQL admin password and the web role's, each app's
//   │                     key-encryption key
//   └── PostgreSQL Flexible Server: database `notejam`, TLS required, Azure-services-only firewall; the web's own
//                                   role and database `notejam_web` are made by the migrations, not here
//
// The outputs below are what azd writes to the azd environment (.azure/<env>/.env) and what the templates read as
// {{ .Env.NAME }}: the environment, registry and identities, each secret's Key Vault URL (never its value), and the
// apps' settings (replicas, SMTP, OTLP, trusted proxies) so that one parameter file configures both halves.
//
// `azd up` on an empty subscription: provision (everything above), then deploy (build and push both images, create
// api and web; the api's first replica migrates the empty database before it starts). A later `azd up` or
// `azd deploy` with a new migration: the new api revision migrates in its init container before it starts, and
// takes traffic only when ready; the revision before serves until then.

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name (AZURE_ENV_NAME): names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Azure region of every resource (AZURE_LOCATION).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the principal running azd (AZURE_PRINCIPAL_ID). When set, it may push images and read the Key Vault secrets.')
param principalId string = ''

@description('Kind of principalId (AZURE_PRINCIPAL_TYPE).')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('PostgreSQL major version.')
@allowed([
  '14'
  '15'
  '16'
  '17'
])
param postgresVersion string = '16'

@description('PostgreSQL compute size, e.g. Standard_B1ms, Standard_B2s (Burstable), Standard_D2ds_v5 (GeneralPurpose).')
param postgresSkuName string = 'Standard_B2s'

@description('The tier postgresSkuName belongs to.')
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresSkuTier string = 'Burstable'

@description('PostgreSQL storage in GiB; it grows by itself when nearly full, and never shrinks.')
@allowed([
  32
  64
  128
  256
  512
  1024
  2048
  4096
  8192
  16384
  32767
])
param postgresStorageSizeGB int = 32

@description('Days of point-in-time restore.')
@minValue(7)
@maxValue(35)
param backupRetentionDays int = 7

@description('Copies backups to the paired region. Only settable when the server is created.')
@allowed([
  'Enabled'
  'Disabled'
])
param geoRedundantBackup string = 'Disabled'

@description('A standby server: ZoneRedundant (another zone) or SameZone. Needs the GeneralPurpose or MemoryOptimized tier.')
@allowed([
  'Disabled'
  'ZoneRedundant'
  'SameZone'
])
param highAvailabilityMode string = 'Disabled'

@description('PostgreSQL administrator login (not azure_superuser, admin, administrator, root, guest, public, nor pg_*).')
@minLength(1)
@maxLength(63)
param postgresAdminLogin string = 'notejam'

// main.parameters.json fills this with $(secretOrRandomPassword ${AZURE_KEY_VAULT_NAME} postgresAdminPassword):
// on the first provision AZURE_KEY_VAULT_NAME is not set yet, so azd generates a password (15 letters
// and digits); this template stores it in the vault as `postgresAdminPassword` and outputs
// AZURE_KEY_VAULT_NAME, so every later provision reads the same password back instead of resetting
// it. Nothing to type, nothing in .azure/<env>/.env. (The alternative, "${POSTGRES_ADMIN_PASSWORD}",
// keeps the password in plain text in .env and makes every environment set it by hand.)
// The principal running azd must be able to read that secret: principalId gets Key Vault Secrets User.
@secure()
@description('PostgreSQL administrator password; azd generates it on the first provision and reads it back from Key Vault afterwards.')
param postgresAdminPassword string

// Like postgresAdminPassword: main.parameters.json reads each back with secretOrRandomPassword from the vault,
// where this template keeps them, so the apps' key rings stay readable across provisions.
@secure()
@description('DataProtection__KeyEncryptionKey of the api (Key Vault secret api-key-encryption-key); generated on the first provision, read back afterwards.')
param apiKeyEncryptionKey string

@secure()
@description('DataProtection__KeyEncryptionKey of the web (Key Vault secret web-key-encryption-key), its own.')
param webKeyEncryptionKey string

// Likewise: the password of the web's own role notejam_web, in the connection string of its own database (Key Vault
// web-keyring-connection-string). The api's migrations make the role with it (or reset it to it) and the database
// owned by that role, so the web never holds the notes database's credentials.
@secure()
@description('Password of the web\'s own PostgreSQL role notejam_web (Key Vault secret web-keyring-password); generated on the first provision, read back afterwards.')
param webKeyRingPassword string

// Fresh on every deployment, but used only while a key is first made (see modules/keyvault.bicep).
@secure()
@description('Leave unset: randomness that lengthens a newly generated key-encryption key or web role password.')
param keyEncryptionKeyEntropy string = newGuid()

// Container Apps' ingress (envoy) sets X-Forwarded-Proto and appends the address it saw to X-Forwarded-For; the
// apps believe only its last hop, and only from these networks. Without a custom VNet the environment's network is
// generated in Microsoft's tenant and its range is not published; only the environment's ingress and its own apps
// reach a container there, so the private ranges name exactly those. With a custom VNet, name its infrastructure subnet.
@description('Notejam__TrustedProxyNetworks of the web and the api: comma-separated CIDRs of Container Apps\' ingress.')
param trustedProxyNetworks string = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10'

@description('Npgsql Maximum Pool Size per process (the web\'s own database: at most 10). (apiMaxReplicas + webMaxReplicas + 1) x this must stay under the server\'s connection limit (Standard_B1ms: 35 for users; Standard_B2s: 414).')
@minValue(1)
param postgresMaxPoolSize int = 50

@description('Fewest api replicas (0 lets it scale to zero when idle; the first request then waits for a start).')
@minValue(0)
param apiMinReplicas int = 1

@minValue(1)
param apiMaxReplicas int = 3

@description('Fewest web replicas.')
@minValue(0)
param webMinReplicas int = 1

@minValue(1)
param webMaxReplicas int = 3

@description('Concurrent HTTP requests per replica before the HTTP scale rule adds a replica (api and web).')
@minValue(1)
param httpConcurrentRequests int = 50

@description('SMTP server for password-reset mail. Empty: no mail is sent; the api logs the reset links instead.')
param smtpHost string = ''

param smtpPort int = 587

@description('SMTP user name; empty for none.')
param smtpUsername string = ''

@secure()
@description('SMTP password; empty for none. Kept in Key Vault.')
param smtpPassword string = ''

@description('Upgrade the SMTP connection with STARTTLS.')
param smtpUseTls bool = true

@description('Sender of every mail, e.g. "Notejam <no-reply@example.com>"; empty keeps the app\'s default.')
param smtpFrom string = ''

@description('OTLP endpoint for traces, metrics and logs (OTEL_EXPORTER_OTLP_ENDPOINT); empty exports nothing.')
param otlpEndpoint string = ''

var tags = {
  'azd-env-name': environmentName
}

// Globally unique names (registry, vault, server host name) are derived from this.
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))

// Known before deployment (not module outputs), so role assignment names and the workspace lookup
// are computed up front and what-if can predict them.
var identityName = 'id-${resourceToken}'
var webIdentityName = 'id-web-${resourceToken}'
var logAnalyticsWorkspaceName = 'log-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    name: logAnalyticsWorkspaceName
    location: location
    tags: tags
  }
}

// The api's, and its migrations' (modules/identity.bicep).
module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

// The web's own (modules/identity.bicep): it reads only its own secrets, never the notes database's connection string.
module webIdentity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: webIdentityName
    location: location
    tags: tags
  }
}

module registry 'modules/registry.bicep' = {
  scope: rg
  params: {
    name: 'cr${resourceToken}'
    location: location
    tags: tags
    pullIdentityName: identityName
    pullPrincipalId: identity.outputs.principalId
    webPullIdentityName: webIdentityName
    webPullPrincipalId: webIdentity.outputs.principalId
    pushPrincipalId: principalId
    pushPrincipalType: principalType
  }
}

module postgres 'modules/postgres.bicep' = {
  scope: rg
  params: {
    name: 'psql-${resourceToken}'
    location: location
    tags: tags
    version: postgresVersion
    skuName: postgresSkuName
    skuTier: postgresSkuTier
    storageSizeGB: postgresStorageSizeGB
    backupRetentionDays: backupRetentionDays
    geoRedundantBackup: geoRedundantBackup
    highAvailabilityMode: highAvailabilityMode
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
  }
}

module keyVault 'modules/keyvault.bicep' = {
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    readerIdentityName: identityName
    readerPrincipalId: identity.outputs.principalId
    webReaderIdentityName: webIdentityName
    webReaderPrincipalId: webIdentity.outputs.principalId
    operatorPrincipalId: principalId
    operatorPrincipalType: principalType
    postgresHost: postgres.outputs.host
    postgresDatabase: postgres.outputs.databaseName
    postgresAdminLogin: postgresAdminLogin
    postgresAdminPassword: postgresAdminPassword
    postgresMaxPoolSize: postgresMaxPoolSize
    smtpPassword: smtpPassword
    apiKeyEncryptionKey: apiKeyEncryptionKey
    webKeyEncryptionKey: webKeyEncryptionKey
    webKeyRingPassword: webKeyRingPassword
    keyEncryptionKeyEntropy: keyEncryptionKeyEntropy
  }
}

module containerAppsEnvironment 'modules/container-apps-environment.bicep' = {
  scope: rg
  params: {
    name: 'cae-${resourceToken}'
    location: location
    tags: tags
    logAnalyticsWorkspaceName: logAnalyticsWorkspaceName
  }
  dependsOn: [
    monitoring
  ]
}

// Read by azd (written to .azure/<environment>/.env) and by whoever operates the deployment.
output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID string = identity.outputs.id
output AZURE_CONTAINER_APPS_ENVIRONMENT_ID string = containerAppsEnvironment.outputs.id
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = containerAppsEnvironment.outputs.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN string = containerAppsEnvironment.outputs.defaultDomain
output AZURE_LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.id
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_POSTGRES_SERVER_NAME string = postgres.outputs.name
output AZURE_POSTGRES_HOST string = postgres.outputs.host
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
// The web's identity (web.tmpl.yaml: the app's only identity, its registry pull and its Key Vault references).
output NOTEJAM_WEB_IDENTITY_ID string = webIdentity.outputs.id
output NOTEJAM_WEB_IDENTITY_CLIENT_ID string = webIdentity.outputs.clientId
output WEB_URL string = 'https://web.${containerAppsEnvironment.outputs.defaultDomain}'

// Read by the apps' templates (Notejam.AppHost/infra/*.tmpl.yaml). Key Vault URLs without a version: Container Apps
// resolves them with the identity and picks up a new version by itself.
output NOTEJAM_CONNECTION_STRING_KV_URL string = keyVault.outputs.connectionStringSecretUri
// The web's own database (ConnectionStrings__webkeyring of the web and of the api's init container), never the above.
output NOTEJAM_WEB_KEYRING_CONNECTION_STRING_KV_URL string = keyVault.outputs.webKeyRingConnectionStringSecretUri
output NOTEJAM_API_KEY_ENCRYPTION_KEY_KV_URL string = keyVault.outputs.apiKeyEncryptionKeySecretUri
output NOTEJAM_WEB_KEY_ENCRYPTION_KEY_KV_URL string = keyVault.outputs.webKeyEncryptionKeySecretUri
@description('Empty when no SMTP password is set; the api template then references none.')
output NOTEJAM_SMTP_CREDENTIAL_KV_URL string = keyVault.outputs.smtpKeyVaultSecretUri
output NOTEJAM_API_MIN_REPLICAS int = apiMinReplicas
output NOTEJAM_API_MAX_REPLICAS int = apiMaxReplicas
output NOTEJAM_WEB_MIN_REPLICAS int = webMinReplicas
output NOTEJAM_WEB_MAX_REPLICAS int = webMaxReplicas
output NOTEJAM_HTTP_CONCURRENT_REQUESTS int = httpConcurrentRequests
output NOTEJAM_TRUSTED_PROXY_NETWORKS string = trustedProxyNetworks
output NOTEJAM_SMTP_HOST string = smtpHost
output NOTEJAM_SMTP_PORT int = smtpPort
output NOTEJAM_SMTP_USERNAME string = smtpUsername
output NOTEJAM_SMTP_USE_TLS bool = smtpUseTls
output NOTEJAM_SMTP_FROM string = smtpFrom
output NOTEJAM_OTLP_ENDPOINT string = otlpEndpoint
