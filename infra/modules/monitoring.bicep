// Log Analytics: where the Container Apps environment sends the apps' console output and system logs.
// (Traces and metrics go wherever OTEL_EXPORTER_OTLP_ENDPOINT points, when it is set.)

@description('The workspace name.')
param name string

param location string
param tags object

@description('Days the logs are kept (30 is included in the per-GB price).')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

output id string = workspace.id
output name string = workspace.name
