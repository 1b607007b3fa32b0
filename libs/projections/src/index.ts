export * from './inline-projections';
export * from './library-item-view.projection';
export * from './library-view.projection';
export * from './update-session-view.projection';
export * from './update-session-file-view.projection';
