//! Content negotiation: `_format`, `Accept` and `Content-Type`, JSON and XML.

use actix_web::HttpRequest;
use actix_web::http::header;
use fhir_outcome::{Issue, IssueType};
use serde_json::Value;

use crate::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/fhir+json; charset=utf-8",
            Format::Xml => "application/fhir+xml; charset=utf-8",
        }
    }

    /// A MIME type or `_format` value, ignoring parameters such as `charset` and `fhirVersion`.
    fn of_mime(mime: &str) -> Option<Format> {
        let essence = mime.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match essence.as_str() {
            "json" | "application/fhir+json" | "application/json" | "application/json+fhir" => {
                Some(Format::Json)
            }
            "xml" | "application/fhir+xml" | "application/xml" | "text/xml" | "application/xml+fhir" => {
                Some(Format::Xml)
            }
            _ => None,
        }
    }

    /// The response format: `_format` wins over `Accept`; JSON when neither says.
    pub fn negotiate(request: &HttpRequest) -> Result<Format, ApiError> {
        if let Some(requested) = query_value(request, "_format") {
            return Format::of_mime(&requested).ok_or_else(|| {
                ApiError::new(
                    actix_web::http::StatusCode::NOT_ACCEPTABLE,
                    Issue::error(
                        IssueType::NotSupported,
                        format!("_format '{requested}' is not supported; use json or xml"),
                    )
                    .at("_format"),
                )
            });
        }
        let Some(accept) = request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
            return Ok(Format::Json);
        };
        let mut any = false;
        for mime in accept.split(',') {
            if let Some(format) = Format::of_mime(mime) {
                return Ok(format);
            }
            let essence = mime.split(';').next().unwrap_or_default().trim();
            any |= matches!(essence, "*/*" | "application/*" | "text/*" | "text/html" | "");
        }
        if any {
            Ok(Format::Json)
        } else {
            Err(ApiError::new(
                actix_web::http::StatusCode::NOT_ACCEPTABLE,
                Issue::error(
                    IssueType::NotSupported,
                    "none of the Accept types is supported; use application/fhir+json or application/fhir+xml",
                ),
            ))
        }
    }

    /// The format of a request body, from `Content-Type`.
    pub fn of_body(request: &HttpRequest) -> Result<Format, ApiError> {
        let content_type =
            request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        Format::of_mime(content_type).ok_or_else(|| {
            ApiError::new(
                actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Issue::error(
                    IssueType::NotSupported,
                    format!("Content-Type '{content_type}' is not supported; send application/fhir+json or application/fhir+xml"),
                ),
            )
        })
    }

    /// Writes a resource tree in this format.
    pub fn write(self, resource: &Value, pretty: bool) -> Result<Vec<u8>, ApiError> {
        let json = if pretty { serde_json::to_vec_pretty(resource) } else { serde_json::to_vec(resource) }
            .map_err(ApiError::internal)?;
        match self {
            Format::Json => Ok(json),
            Format::Xml => {
                let typed = fhir_codec::parse_json(&json).map_err(ApiError::internal)?;
                fhir_codec::to_xml(&typed).map_err(ApiError::internal)
            }
        }
    }

    /// Reads a request body as a resource tree, checked against the R4 model.
    pub fn read(self, body: &[u8]) -> Result<Value, ApiError> {
        let parsed = match self {
            Format::Json => fhir_codec::parse_json(body),
            Format::Xml => fhir_codec::parse_xml(body),
        }
        .map_err(|e| {
            ApiError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                Issue::error(IssueType::Structure, format!("the body is not a valid FHIR R4 resource: {e}")),
            )
        })?;
        fhir_codec::to_json_value(&parsed).map_err(ApiError::internal)
    }
}

/// The first value of a query parameter.
pub fn query_value(request: &HttpRequest, name: &str) -> Option<String> {
    form_urlencoded::parse(request.query_string().as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}
