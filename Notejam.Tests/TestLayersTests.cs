using System.Reflection;
using Notejam.Tests.AppHost;
using Notejam.Tests.Browser;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests;

/// <summary>
/// The fast layer (`--filter "Layer!=AppHost&amp;Layer!=Browser&amp;Layer!=Faults&amp;Layer!=Deploy&amp;Layer!=Containers"`) stays fast only
/// if every class that starts the AppHost, a browser or a deployment tool says so.
/// </summary>
public sealed class TestLayersTests
{
    private static readonly Type[] TestClasses = [.. typeof(TestLayersTests).Assembly.GetTypes()
        .Where(type => type.IsClass && !type.IsAbstract && type.GetMethods().Any(method =>
            method.GetCustomAttributes<FactAttribute>(inherit: true).Any()))];

    [Fact]
    public void Every_class_that_needs_the_AppHost_a_browser_or_a_deployment_tool_is_in_its_layer()
    {
        var wrong = new List<string>();
        foreach (var type in TestClasses)
        {
            var expected =
                type.Namespace == "Notejam.Tests.Containers" ? TestLayers.Containers
                : typeof(ChromiumTests).IsAssignableFrom(type) ? TestLayers.Browser
                : type.Namespace == "Notejam.Tests.Faults" ? TestLayers.Faults
                : type.Namespace == "Notejam.Tests.Deploy" ? TestLayers.Deploy
                : NeedsAppHost(type) ? TestLayers.AppHost
                : null;
            var actual = LayerOf(type);
            if (actual != expected)
            {
                wrong.Add($"{type.Name}: {actual ?? "no layer"}, expected {expected ?? "no layer"}");
            }
        }

        Assert.Empty(wrong);
        Assert.Contains(TestClasses, type => LayerOf(type) is null); // the fast layer is not empty
    }

    private static bool NeedsAppHost(Type type) =>
        type.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(AppHostFixture))) ||
        type == typeof(ManifestTests); // runs the AppHost project's manifest publisher

    private static string? LayerOf(Type type) => type.GetCustomAttributesData()
        .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == TestLayers.Name)
        .Select(a => (string?)a.ConstructorArguments[1].Value)
        .SingleOrDefault();
}
