using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Notejam.Tests.Infrastructure;

internal static class ServerAddress
{
    /// <summary>Where a factory started with UseKestrel listens.</summary>
    public static Uri Of<T>(WebApplicationFactory<T> factory) where T : class =>
        new(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
