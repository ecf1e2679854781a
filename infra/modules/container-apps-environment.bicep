// The Container Apps environment the api, the web and the migration job share, sending the
// containers' console output and the system logs to the Log Analytics workspace.
// Workload-profiles kind with only the serverless Consumption profile: pay per use, and room to add
// dedicated profiles (or a VNet, see postgres.bicep) later without replacing the environment.

param name string
param location string
param tags object

@description('Name of the Log Analytics workspace in this resource group.')
param logAnalyticsWorkspaceName string

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: logAnalyticsWorkspaceName
}

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
    zoneRedundant: false
  }
}

output id string = environment.id
output name string = environment.name
output defaultDomain string = environment.properties.defaultDomain
