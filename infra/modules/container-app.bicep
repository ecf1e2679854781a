// One Notejam service as a container app: the api (internal ingress) and the web (external ingress)
// both come from here. The image listens on HTTP 8080 as a non-root user; /alive answers while the
// process runs, /health when it can serve (for the api: including PostgreSQL).
// The app runs as the shared user-assigned identity, pulls from the registry with it and resolves its
// Key Vault secret references with it.

param name string
param location string
param tags object

@description('The azd service this app is (azd-service-name tag): `api` or `web`, the AppHost\'s project resource names.')
param serviceName string

param environmentId string

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Login server of the registry the images come from.')
param registryServer string

@description('The image; azd fills it in after its first deploy.')
param image string

@description('false for the placeholder image, which knows nothing of /alive and /health: it gets the platform\'s default TCP probes instead.')
param probesEnabled bool = true

@description('true: reachable from the internet; false: only from inside the Container Apps environment.')
param external bool

@description('Whether plain HTTP is served or redirected to HTTPS.')
param allowInsecure bool

param targetPort int = 8080

@minValue(0)
param minReplicas int

@minValue(1)
param maxReplicas int

@description('Concurrent HTTP requests per replica before another replica is added.')
@minValue(1)
param concurrentRequests int

@description('Plain environment variables.')
param env envVar[] = []

@description('Environment variables filled from Key Vault secrets.')
param keyVaultEnv keyVaultEnvVar[] = []

type envVar = {
  name: string
  value: string
}

type keyVaultEnvVar = {
  @description('The environment variable.')
  name: string
  @description('The container app secret that holds it (lowercase letters, digits, hyphens).')
  secretName: string
  @description('The Key Vault secret\'s URI, without a version.')
  keyVaultUrl: string
}

var probes = [
  {
    // Up to about 30 s for the process to start before liveness takes over.
    type: 'Startup'
    httpGet: {
      path: '/alive'
      port: targetPort
      scheme: 'HTTP'
    }
    initialDelaySeconds: 1
    periodSeconds: 3
    timeoutSeconds: 3
    failureThreshold: 10
  }
  {
    type: 'Liveness'
    httpGet: {
      path: '/alive'
      port: targetPort
      scheme: 'HTTP'
    }
    periodSeconds: 10
    timeoutSeconds: 3
    failureThreshold: 3
  }
  {
    // The api's /health includes a 3 s PostgreSQL check: an outage takes replicas out of rotation
    // (without restarting them) until the database answers again.
    type: 'Readiness'
    httpGet: {
      path: '/health'
      port: targetPort
      scheme: 'HTTP'
    }
    periodSeconds: 10
    timeoutSeconds: 5
    failureThreshold: 3
    successThreshold: 1
  }
]

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: external
        targetPort: targetPort
        transport: 'http'
        allowInsecure: allowInsecure
        traffic: [
          {
            latestRevision: true
            weight: 100
          }
        ]
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
      secrets: [
        for secret in keyVaultEnv: {
          name: secret.secretName
          keyVaultUrl: secret.keyVaultUrl
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: serviceName
          image: image
          env: concat(
            env,
            map(keyVaultEnv, secret => {
              name: secret.name
              secretRef: secret.secretName
            })
          )
          resources: {
            cpu: json('0.5')
            memory: '1Gi'
          }
          probes: probesEnabled ? probes : []
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'http-concurrency'
            http: {
              metadata: {
                concurrentRequests: string(concurrentRequests)
              }
            }
          }
        ]
      }
    }
  }
}

output name string = app.name
output fqdn string = app.properties.configuration.ingress.fqdn
