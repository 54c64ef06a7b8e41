// Mirrors extensions/Worker.Extensions.Http/src/AuthorizationLevel.cs (all values: they are the host's contract).
namespace Microsoft.Azure.Functions.Worker;

public enum AuthorizationLevel
{
    Anonymous = 0,
    User = 1,
    Function = 2,
    System = 3,
    Admin = 4,
}
