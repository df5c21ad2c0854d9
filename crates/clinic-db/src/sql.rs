//! SQL assembled at run time with bound values, for either backend.

use crate::{Backend, DbBackend, DbConnection};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::query_builder::BoxedSqlQuery;
use diesel::query_builder::SqlQuery;
use diesel::sql_types::{BigInt, Bool, Date, Double, Text, Timestamp};
use diesel::{QueryableByName, RunQueryDsl};

#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    BigInt(i64),
    Double(f64),
    Bool(bool),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
}

/// SQL text plus its bound values; placeholders follow the backend (`$n` or `?`).
pub struct Sql {
    backend: Backend,
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    pub fn new(backend: Backend) -> Sql {
        Sql { backend, text: String::new(), binds: Vec::new() }
    }

    pub fn is_postgres(&self) -> bool {
        self.backend == Backend::Postgres
    }

    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    pub fn bind(&mut self, value: Bind) -> &mut Sql {
        self.binds.push(value);
        match self.backend {
            Backend::Postgres => {
                self.text.push('$');
                self.text.push_str(&self.binds.len().to_string());
            }
            Backend::Sqlite => self.text.push('?'),
        }
        self
    }

    /// `(k1, k2, ...)` of bound row keys; `(NULL)` (matching nothing) when there are none.
    pub fn key_list(&mut self, keys: &[i64]) -> &mut Sql {
        self.push("(");
        if keys.is_empty() {
            self.push("NULL");
        }
        for (i, key) in keys.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(Bind::BigInt(*key));
        }
        self.push(")")
    }

    pub fn load<T>(self, conn: &mut DbConnection) -> diesel::QueryResult<Vec<T>>
    where
        T: QueryableByName<DbBackend> + 'static,
    {
        self.into_query().load(conn)
    }

    pub fn execute(self, conn: &mut DbConnection) -> diesel::QueryResult<usize> {
        self.into_query().execute(conn)
    }

    fn into_query(self) -> BoxedSqlQuery<'static, DbBackend, SqlQuery> {
        let mut query = diesel::sql_query(self.text).into_boxed::<DbBackend>();
        for bind in self.binds {
            query = match bind {
                Bind::Text(value) => query.bind::<Text, _>(value),
                Bind::BigInt(value) => query.bind::<BigInt, _>(value),
                Bind::Double(value) => query.bind::<Double, _>(value),
                Bind::Bool(value) => query.bind::<Bool, _>(value),
                Bind::Date(value) => query.bind::<Date, _>(value),
                Bind::Timestamp(value) => query.bind::<Timestamp, _>(value),
            };
        }
        query
    }
}

/// A `count(*)` result.
#[derive(QueryableByName)]
pub struct Count {
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}
