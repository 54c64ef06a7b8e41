// Mirrors src/DotNetWorker/Builder/FunctionsApplicationBuilder.cs: the same base types and public members. Upstream
// builds the worker host; here nothing can create one (the constructor is internal and never called), and every member throws.
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Azure.Functions.Worker.Builder;

public class FunctionsApplicationBuilder : IHostApplicationBuilder, IFunctionsWorkerApplicationBuilder
{
    internal FunctionsApplicationBuilder()
    {
    }

    public IDictionary<object, object> Properties => throw StandIn.HostRequired(nameof(Properties));

    IConfigurationManager IHostApplicationBuilder.Configuration => Configuration;

    public ConfigurationManager Configuration => throw StandIn.HostRequired(nameof(Configuration));

    public IHostEnvironment Environment => throw StandIn.HostRequired(nameof(Environment));

    public ILoggingBuilder Logging => throw StandIn.HostRequired(nameof(Logging));

    public IMetricsBuilder Metrics => throw StandIn.HostRequired(nameof(Metrics));

    public IServiceCollection Services => throw StandIn.HostRequired(nameof(Services));

    public IHost Build() => throw StandIn.HostRequired(nameof(Build));

    public void ConfigureContainer<TContainerBuilder>(IServiceProviderFactory<TContainerBuilder> factory, Action<TContainerBuilder>? configure = null)
        where TContainerBuilder : notnull
        => throw StandIn.HostRequired(nameof(ConfigureContainer));

    public IFunctionsWorkerApplicationBuilder Use(Func<FunctionExecutionDelegate, FunctionExecutionDelegate> middleware)
        => throw StandIn.HostRequired(nameof(Use));
}
