import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3deploy from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import { asBucket } from "../cdk-types.js";

export interface FrontendProps {
  /** The built web app (`packages/web/dist`). */
  webDistDir: string;
  /** Served as `/aws-config.json` (never cached): how the UI finds the API and Cognito at run time. */
  runtimeConfig: Record<string, unknown>;
  /** The API: CloudFront forwards `/api/*` to `https://{domainName}/{stageName}/api/*` (same origin, no CORS). */
  api?: { domainName: string; stageName: string };
  /** Custom domain + an ACM certificate in us-east-1. */
  domainName?: string;
  certificateArn?: string;
  /** Days CloudFront and S3 access logs are kept. */
  logRetentionDays: number;
}

/** The seed's security headers (HSTS with preload, nosniff, DENY, referrer policy, CSP). */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self' data:; connect-src 'self' https://*.amazonaws.com; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/**
 * SPA routing without distribution-wide error pages (which would also turn the API's 403/404 problem+json
 * into index.html): any path whose last segment has no file extension is served /index.html.
 */
const SPA_ROUTING = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (request.uri.indexOf('/api/') !== 0 && last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/**
 * The web UI: a private, encrypted, versioned S3 bucket (TLS only, access logged) behind CloudFront with Origin
 * Access Control, TLS 1.2+, the seed's security headers and caching (`/assets/*` a year, HTML and
 * `/aws-config.json` never), SPA routing, and `/api/*` forwarded to API Gateway uncached. The app is uploaded
 * at deploy time from the build made at synth time, with the generated `aws-config.json`.
 */
export class Frontend extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: FrontendProps) {
    super(scope, id);
    this.logBucket = new s3.Bucket(this, "AccessLogs", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logs are written with ACLs.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(props.logRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, "Site", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: asBucket(this.logBucket),
      serverAccessLogsPrefix: "s3/",
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      // Rebuilt from the repository on every deploy: nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: "DRS Orchestrator security headers",
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
      },
    });
    const longCache = new cloudfront.CachePolicy(this, "ImmutableAssets", {
      comment: "Hashed build assets: one year",
      minTtl: Duration.days(365),
      defaultTtl: Duration.days(365),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const dayCache = new cloudfront.CachePolicy(this, "OtherFiles", {
      comment: "Other static files: one day, revalidated",
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.days(1),
      maxTtl: Duration.days(1),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const spaRouting = new cloudfront.Function(this, "SpaRouting", {
      code: cloudfront.FunctionCode.fromInline(SPA_ROUTING),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: "SPA routes → /index.html",
    });

    const s3Origin = origins.S3BucketOrigin.withOriginAccessControl(asBucket(this.bucket));
    const uncachedStatic: cloudfront.BehaviorOptions = {
      origin: s3Origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      responseHeadersPolicy: securityHeaders,
      compress: true,
    };
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {
      "/assets/*": {
        origin: s3Origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: longCache,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      },
      "*.html": uncachedStatic,
      "/aws-config.json": uncachedStatic,
    };
    if (props.api) {
      additionalBehaviors["/api/*"] = {
        origin: new origins.HttpOrigin(props.api.domainName, {
          originPath: `/${props.api.stageName}`,
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        compress: true,
      };
    }

    this.distribution = new cloudfront.Distribution(this, "Distribution", {
      comment: "DRS Orchestrator web UI",
      defaultRootObject: "index.html",
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: asBucket(this.logBucket),
      logFilePrefix: "cloudfront/",
      ...(props.domainName && props.certificateArn
        ? {
            domainNames: [props.domainName],
            // Only with a certificate of our own: the default *.cloudfront.net one is fixed at TLSv1.
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            certificate: acm.Certificate.fromCertificateArn(this, "Certificate", props.certificateArn),
          }
        : {}),
      defaultBehavior: {
        origin: s3Origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: dayCache,
        responseHeadersPolicy: securityHeaders,
        compress: true,
        functionAssociations: [
          { function: spaRouting, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors,
    });

    // Hashed assets first (kept across deploys for clients still on the previous build), then everything else
    // with the runtime configuration, pruning stale files and invalidating the cache.
    const assets = new s3deploy.BucketDeployment(this, "DeployAssets", {
      sources: [s3deploy.Source.asset(props.webDistDir, { exclude: ["*", "!assets", "!assets/**"] })],
      destinationBucket: asBucket(this.bucket),
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString("public, max-age=31536000, immutable")],
      memoryLimit: 512,
    });
    const site = new s3deploy.BucketDeployment(this, "DeploySite", {
      sources: [
        s3deploy.Source.asset(props.webDistDir, { exclude: ["assets/**"] }),
        s3deploy.Source.jsonData("aws-config.json", props.runtimeConfig),
      ],
      destinationBucket: asBucket(this.bucket),
      exclude: ["assets/*"],
      prune: true,
      cacheControl: [s3deploy.CacheControl.fromString("no-cache")],
      distribution: this.distribution,
      distributionPaths: ["/*"],
      memoryLimit: 512,
    });
    site.node.addDependency(assets);
  }

  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}
