using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Factory.Tests.Infrastructure;
using Factory.Web.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Api;

/// <summary>
/// Sign-in sessions end when their key leaves the configuration, after an absolute lifetime, and in open dashboards at
/// the next revalidation; a cookie alone never changes state through the API; cookies are Secure over HTTPS.
/// </summary>
public sealed partial class SessionTests : IAsyncLifetime
{
    private const string RotatingKey = "rotating-viewer-key-9f3c2a7e51d84b6c";
    private const string RotatingKeyPrefix = "Auth:Keys:3";

    private readonly MutableConfiguration _configuration = new(new Dictionary<string, string?>
    {
        [$"{RotatingKeyPrefix}:Name"] = "rotating-viewer",
        [$"{RotatingKeyPrefix}:Role"] = "viewer",
        [$"{RotatingKeyPrefix}:Hash"] = ApiKeyEntry.HashKey(RotatingKey),
    });

    private ReloadableApp _app = null!;

    public ValueTask InitializeAsync()
    {
        _app = new ReloadableApp(_configuration, new Dictionary<string, string?> { ["Auth:RevalidateEvery"] = "00:00:00.200" });
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [GeneratedRegex("name=\"(__RequestVerificationToken[^\"]*)\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    private HttpClient Browser(string baseAddress = "http://localhost/")
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri(baseAddress) });
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        return client;
    }

    private static async Task<KeyValuePair<string, string>> FormTokenAsync(HttpClient client, string path = "/login")
    {
        var html = await client.GetStringAsync(path);
        var match = TokenField().Match(html);
        Assert.True(match.Success, $"{path} carries an anti-forgery token");
        return new(match.Groups[1].Value, WebUtility.HtmlDecode(match.Groups[2].Value));
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string key)
    {
        var token = await FormTokenAsync(client);
        var response = await client.PostAsync("/login", new FormUrlEncodedContent([token, new("key", key), new("returnUrl", "/events")]));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/events", response.Headers.Location!.OriginalString);
        return response;
    }

    private static async Task AssertSignedInAsync(HttpClient client, bool expected)
    {
        using var page = await client.GetAsync("/events");
        using var api = await client.GetAsync("/api/workers");
        if (expected)
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.StartsWith("/login", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        }
    }

    [Fact]
    public async Task A_sign_in_is_refused_once_its_key_is_removed_from_the_configuration()
    {
        var client = Browser();
        using var _ = await SignInAsync(client, RotatingKey);
        await AssertSignedInAsync(client, true);

        _configuration.Remove(RotatingKeyPrefix);

        await AssertSignedInAsync(client, false);
    }

    [Fact]
    public async Task A_sign_in_survives_other_keys_changing_and_the_cookie_names_no_key()
    {
        var client = Browser();
        using var signIn = await SignInAsync(client, RotatingKey);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("factory.auth=", StringComparison.Ordinal));
        Assert.DoesNotContain(ApiKeyEntry.HashKey(RotatingKey), cookie, StringComparison.OrdinalIgnoreCase);

        _configuration.Set(new Dictionary<string, string?>
        {
            ["Auth:Keys:4:Name"] = "new-viewer",
            ["Auth:Keys:4:Role"] = "viewer",
            ["Auth:Keys:4:Hash"] = ApiKeyEntry.HashKey("new-viewer-key-5d1e7a9b3c2f4e60"),
        });

        await AssertSignedInAsync(client, true);
    }

    [Fact]
    public async Task A_sign_in_ends_after_its_absolute_lifetime_even_while_in_use()
    {
        var client = Browser();
        using var _ = await SignInAsync(client, FactoryApp.KeyFor("viewer"));

        // Requests every five hours keep renewing the sliding expiry (8 h) ...
        for (var i = 0; i < 2; i++)
        {
            _app.Time.Advance(TimeSpan.FromHours(5));
            await AssertSignedInAsync(client, true);
        }

        // ... but 12 h after signing in, the session is over.
        _app.Time.Advance(TimeSpan.FromHours(2.5));
        await AssertSignedInAsync(client, false);
    }

    [Fact]
    public async Task An_open_dashboard_is_signed_out_at_the_next_revalidation_after_its_key_is_removed()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var provider = scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        var entry = _app.GetService<Microsoft.Extensions.Options.IOptionsMonitor<AuthOptions>>().CurrentValue.Keys.Single(k => k.Name == "rotating-viewer");
        var user = _app.GetService<Sessions>().CreatePrincipal(entry, "Cookies");
        var signedOut = new TaskCompletionSource<ClaimsPrincipal>(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.AuthenticationStateChanged += async state =>
        {
            var changed = (await state).User;
            if (changed.Identity?.IsAuthenticated != true)
            {
                signedOut.TrySetResult(changed);
            }
        };
        ((IHostEnvironmentAuthenticationStateProvider)provider).SetAuthenticationState(Task.FromResult(new AuthenticationState(user)));

        Assert.IsType<RevalidatingSessionStateProvider>(provider);
        Assert.True((await provider.GetAuthenticationStateAsync()).User.Identity!.IsAuthenticated);

        // Revalidation runs every 200 ms here.
        _configuration.Remove(RotatingKeyPrefix);
        var after = await signedOut.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        Assert.Null(after.Identity?.Name);
    }

    [Fact]
    public async Task A_cookie_alone_does_not_change_state_through_the_api_but_the_anti_forgery_header_or_a_key_does()
    {
        var client = Browser();
        using var _ = await SignInAsync(client, FactoryApp.KeyFor("admin"));

        using var cookieOnly = await client.PostAsJsonAsync("/api/admin/model-exclusions", new { model_version = "v-cookie" });
        var problem = await ProblemAssert.IsProblemAsync(cookieOnly, 403);
        Assert.Contains("X-CSRF-TOKEN", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var token = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/antiforgery");
        Assert.Equal("X-CSRF-TOKEN", token.GetProperty("header_name").GetString());
        using var withToken = new HttpRequestMessage(HttpMethod.Post, "/api/admin/model-exclusions") { Content = JsonContent.Create(new { model_version = "v-cookie" }) };
        withToken.Headers.Add("X-CSRF-TOKEN", token.GetProperty("token").GetString());
        using var allowed = await client.SendAsync(withToken);
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);

        using var withKey = await _app.CreateClient().PostAsJsonAsync("/api/admin/model-exclusions", new { model_version = "v-key" });
        Assert.Equal(HttpStatusCode.Created, withKey.StatusCode);
        using var list = await _app.CreateClient().GetAsync("/api/admin/model-exclusions");
        var text = await list.Content.ReadAsStringAsync();
        Assert.Contains("v-cookie", text, StringComparison.Ordinal);
        Assert.Contains("v-key", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookies_are_secure_over_https_and_not_over_plain_http_and_https_answers_carry_hsts()
    {
        var secure = Browser("https://factory.example/");
        using var signIn = await SignInAsync(secure, FactoryApp.KeyFor("viewer"));
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("factory.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        using var page = await secure.GetAsync("/events");
        Assert.StartsWith("max-age=", page.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);

        var plain = Browser("http://factory.example/");
        using var plainSignIn = await SignInAsync(plain, FactoryApp.KeyFor("viewer"));
        Assert.DoesNotContain("secure", plainSignIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("factory.auth=", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_layout_has_a_sign_out_button_that_ends_the_session_and_needs_its_form_token()
    {
        var client = Browser();
        using var _ = await SignInAsync(client, FactoryApp.KeyFor("viewer"));
        var token = await FormTokenAsync(client, "/events");
        Assert.Contains("data-action=\"sign-out\"", await client.GetStringAsync("/events"), StringComparison.Ordinal);

        using var forged = await client.PostAsync("/logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        await AssertSignedInAsync(client, true);

        using var signOut = await client.PostAsync("/logout", new FormUrlEncodedContent([token]));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        await AssertSignedInAsync(client, false);
    }

    /// <summary>The test server with <see cref="MutableConfiguration"/> on top of its settings.</summary>
    private sealed class ReloadableApp(MutableConfiguration configuration, IDictionary<string, string?> settings) : FactoryApp(settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureAppConfiguration(c => c.Add(configuration));
        }
    }
}
